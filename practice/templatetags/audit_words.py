from django import template

from ..auditlog.words import audit_sentence, record_kind

register = template.Library()

register.filter("audit_sentence", audit_sentence)
register.filter("record_kind", record_kind)
