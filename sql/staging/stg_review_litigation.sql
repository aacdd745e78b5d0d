{{ review_litigation_wide(source('core', 'review_litigation')) }}
