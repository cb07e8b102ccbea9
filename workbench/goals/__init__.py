"""Judge a result by each student's own goals; compare results; review against a district bar."""
