"""One module a planning step: staffing, schedule, groups, budget. Each takes tables and gives tables."""
