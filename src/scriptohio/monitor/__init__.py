"""Performance monitor: metrics, alerts, bottlenecks, grade, dashboard, reports."""
