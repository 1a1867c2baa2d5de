"""Signals sent by the communication policy.

``communication_policy_changed`` is sent after a change to the practice's
CommunicationPolicy has been committed, with ``sender=CommunicationPolicy``,
``communication=<the CommunicationPolicy>`` and ``changed=<set of changed field names>``.
Receivers (for example the one that recomputes parents' next update times)
connect to it from their own layer; practice never imports them.
"""

from django.dispatch import Signal

communication_policy_changed = Signal()
