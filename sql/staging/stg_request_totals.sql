{{ request_totals(source('core', 'request_outcomes')) }}
