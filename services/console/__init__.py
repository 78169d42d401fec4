"""The console: a web app for officials, analysts, admins and subjects over the public GraphQL API."""
