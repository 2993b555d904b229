"""Results for leadership and the People's Committee: dashboards, the provincial
report (a frozen snapshot), exports. Its screens come with the results issue."""
