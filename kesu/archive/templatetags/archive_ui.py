from django import template

from kesu.archive.secrecy import mask

register = template.Library()


@register.filter
def personal(value: object, show: bool) -> object:
    """Personal data (phone, address, a personal profile field): in full when ``show``, else masked."""
    if show or not isinstance(value, str):
        return value
    return mask(value)
