"""The nightly refresh (``manage.py refresh_cache``): the Postgres read models rebuilt from the
warehouse's timing tables. ``warehouse`` aggregates in the warehouse (selectors), ``scoring`` turns
the per-race variables into variable values and factor scores (no database), ``services`` writes."""
