"""What a result is and the master schedule's rules verified on one: the layer between the scenario and
planning. `result`: the tables of a result folder (SPEC §2) and `Result`, which holds them; `schedule`: the
independent checker's rules 1-8 and 14, which the schedule step's guard and `workbench.results.check` both
run. Nothing here imports planning: a planner's bug cannot hide itself from the rules that judge it."""
