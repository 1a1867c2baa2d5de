import re

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

STAGE_FOR_FAMILIES = {
    "commitment": _("Getting started: getting to know your child and agreeing goals together."),
    "process": _("Working on goals: regular sessions and practice at home."),
    "change": _("Seeing change: building on progress and making it last."),
    "termination": _("Finishing up: planning the end of therapy and what comes next."),
}

# The stage's name as a family reads it: "Mia has moved to: Seeing change".
STAGE_NAMES_FOR_FAMILIES = {
    "commitment": _("Getting started"),
    "process": _("Working on goals"),
    "change": _("Seeing change"),
    "termination": _("Finishing up"),
}

SHARING_FOR_FAMILIES = {
    "full": _(
        "You can see goals, progress and the summaries your child's clinician shares "
        "after sessions."
    ),
    "progress": _(
        "You can see goals and progress. Session details stay between your child and their "
        "clinician, as agreed with your child."
    ),
    "safety_only": _(
        "You can see appointments and attendance. Your child's clinician will always tell you "
        "about anything that affects their safety."
    ),
}

# The agreement itself in plain words, as the family is asked to read it (whoever reads it: a
# guardian with limited access is told their own view separately).
AGREEMENT_FOR_FAMILIES = {
    "full": _(
        "The care team shares your child's goals and progress with the family, and a short "
        "summary in plain words after sessions."
    ),
    "progress": _(
        "The care team shares your child's goals and progress with the family. What your child "
        "says in sessions stays between them and their clinician."
    ),
    "safety_only": _(
        "The family sees appointments and attendance. What your child says and works on in "
        "sessions stays between them and their clinician, but the care team will tell you about "
        "anything that affects your child's safety."
    ),
}

PORTAL_STATES = {
    "active": (_("Uses the portal"), "text-bg-success"),
    "invited": (_("Invited"), "text-bg-info"),
    "send_failed": (_("Invitation not delivered"), "text-bg-danger"),
    "not_invited": (_("Not invited yet"), "text-bg-warning"),
    "no_access": (_("No access"), "text-bg-secondary"),
}


@register.filter
def stage_for_families(stage: str) -> str:
    return STAGE_FOR_FAMILIES.get(stage, "")


@register.filter
def stage_name_for_families(stage: str) -> str:
    return STAGE_NAMES_FOR_FAMILIES.get(stage, "")


@register.filter
def sharing_for_families(level: str) -> str:
    return SHARING_FOR_FAMILIES.get(level, "")


@register.filter
def agreement_for_families(level: str) -> str:
    return AGREEMENT_FOR_FAMILIES.get(level, "")


@register.filter
def portal_state_label(state: str) -> str:
    return PORTAL_STATES.get(state, ("", ""))[0]


@register.filter
def portal_state_class(state: str) -> str:
    return PORTAL_STATES.get(state, ("", ""))[1]


@register.filter
def minutes(delta) -> int:
    return int(delta.total_seconds() // 60) if delta else 0


SHARING_LABELS = {"full": _("Full"), "progress": _("Progress"), "safety_only": _("Safety only")}


@register.filter
def sharing_label(level: str) -> str:
    return SHARING_LABELS.get(level, level)


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # Already rendered (and escaped) template output, stripped so an unfilled block is "".
        context[self.name] = mark_safe(self.nodelist.render(context).strip())
        return ""


@register.filter
def tel_href(number) -> str:
    """A phone number as a `tel:` address: its digits, with a leading + kept
    ("020 7946 0000" -> "tel:02079460000")."""
    number = str(number or "").strip()
    digits = re.sub(r"[^0-9]", "", number)
    return f"tel:{'+' if number.startswith('+') else ''}{digits}" if digits else ""


@register.tag
def capture(parser, token):
    """`{% capture name %}...{% endcapture %}` renders its contents into the variable `name`.

    base.html uses it to leave out a wrapper (the breadcrumb's nav) when a page fills no
    items: a block cannot be tested for emptiness otherwise.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("capture takes one argument: the variable's name")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])
