"""Who may do what to which document: the authorisation rules of the workflow, once.

Admins may do everything, reassigning ownership included. An owner key acts only on the
documents whose ``owner`` is the key's owner, and may not reassign. Agents and bots never
write.
"""

from __future__ import annotations

from knowledge_service.access.schemas import Principal, Role
from knowledge_service.errors import PermissionDeniedError, a_or_an
from knowledge_service.review.workflow_schemas import WorkflowAction

ADMIN_ONLY = frozenset({WorkflowAction.REASSIGN})


def authorize(principal: Principal, action: WorkflowAction, kind: str, owner: str) -> None:
    """Raise :class:`PermissionDeniedError` unless ``principal`` may ``action`` a ``kind``
    document whose owner is ``owner``."""
    if principal.role == Role.ADMIN:
        return
    if principal.role != Role.OWNER:
        raise PermissionDeniedError(f"{a_or_an(str(principal.role))} key may not change {kind}s")
    if action in ADMIN_ONLY:
        raise PermissionDeniedError(f"only an admin may {action} {a_or_an(kind)}")
    if not principal.owns(owner):
        raise PermissionDeniedError(
            f"this key acts for {principal.owner!r}; the {kind} belongs to {owner!r}",
            names=[name for name in (principal.owner, owner) if name],
        )


def may(principal: Principal, action: WorkflowAction, kind: str, owner: str) -> bool:
    """Whether :func:`authorize` lets ``principal`` ``action`` a ``kind`` document of ``owner``."""
    try:
        authorize(principal, action, kind, owner)
    except PermissionDeniedError:
        return False
    return True


def authorize_owner_change(principal: Principal, kind: str, before: str, after: str) -> None:
    """An edit that changes the owner is a reassignment: admins only. The refusal names the
    field and the owner the store has (as written); never the value the edit sent, which may be
    anything a caller typed (a name and a phone number), and redacted in part read as a name."""
    if before != after and principal.role != Role.ADMIN:
        raise PermissionDeniedError(  # the owner it has is the store's: named as written
            f"field 'owner' names another owner than {before}: changing {a_or_an(kind)}'s "
            f"owner is a reassignment, which only an admin may do (keep 'owner: {before}')",
            names=[before],
        )
