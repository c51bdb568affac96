"""The JSON API's use cases that differ from the pages': paged, filtered listings with the
optimistic-lock ``version`` a client needs, feedback added one item at a time, the products a
caller may see and the API tokens that authenticate scripts. Built on the pages' read models and
the use cases in ``services/``.
"""
