"""{% fragment "name" for=child_policy version ... %} ... {% endfragment %}: the block's HTML
from the fragment cache (practice/fragments.py says what its key carries). `for=` is
required: the viewer's ChildPolicy, or None on a staff page about no one child."""

from django import template
from django.template.base import FilterExpression

from ..fragments import cached_html

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name: FilterExpression, policy: FilterExpression, versions, nodelist):
        self.name, self.policy, self.versions, self.nodelist = name, policy, versions, nodelist

    def render(self, context):
        request = context.get("request")
        if request is None:  # rendered outside a request (an email): nothing to key on
            return self.nodelist.render(context)
        return cached_html(
            request,
            str(self.name.resolve(context)),
            lambda: self.nodelist.render(context),
            child_policy=self.policy.resolve(context),
            versions=[version.resolve(context) for version in self.versions],
        )


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            '{% fragment "name" for=policy [version ...] %} needs a name and for='
        )
    name, policy, versions = parser.compile_filter(bits[1]), None, []
    for bit in bits[2:]:
        if bit.startswith("for="):
            policy = parser.compile_filter(bit[len("for=") :])
        else:
            versions.append(parser.compile_filter(bit))
    if policy is None:
        raise template.TemplateSyntaxError("{% fragment %} needs for=<ChildPolicy or None>")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(name, policy, versions, nodelist)
