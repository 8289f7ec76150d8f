from django import template

from maillage.alerts.searches import description_of

register = template.Library()


@register.simple_tag
def alert_search_description(query_string: str) -> str:
    """The French description of a list page search, "" when the search is not valid."""
    return description_of(query_string or "")
