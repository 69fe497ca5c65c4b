"""How big and how deep a YAML document may be once its aliases are expanded, checked before it is
loaded (composed nodes) or walked (loaded values): a Kubernetes object has a few thousand values, a
"billion laughs" document of 400 bytes would have 10**9."""

from __future__ import annotations

from typing import Any


# A Kubernetes object has a few thousand nodes; aliases are expanded when objects are flattened, so a
# 400-byte "billion laughs" document would become 10**9 of them.
MAX_YAML_NODES = 200_000


MAX_YAML_DEPTH = 100


def yaml_node_problem(root: Any) -> str | None:
    """Why a composed YAML node graph is not loaded (too many nodes once aliases are expanded, too
    deep, or recursive), or None. Shared nodes (aliases) are sized once, so this is linear."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    # iterative post-order walk: (node, depth, children visited?)
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        nid = id(node)
        value = node.value
        if not isinstance(value, list):  # a scalar
            sizes[nid] = 1
            continue
        children = [c for pair in value for c in pair] if value and isinstance(value[0], tuple) else value
        if done:
            active.discard(nid)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_YAML_NODES:
                return f"it expands to more than {MAX_YAML_NODES} values (YAML aliases used as a bomb?)"
            sizes[nid] = total
            continue
        if nid in sizes:
            continue
        if nid in active:
            return "a YAML alias refers to the node that contains it"
        if depth > MAX_YAML_DEPTH:
            return f"nested more than {MAX_YAML_DEPTH} levels deep"
        active.add(nid)
        stack.append((node, depth, True))
        for c in children:
            if id(c) in active:
                return "a YAML alias refers to the node that contains it"
            if id(c) not in sizes:
                stack.append((c, depth + 1, False))
    return None


def expanded_size_problem(obj: Any) -> str | None:
    """The same bounds for loaded Python values (shared lists/dicts are what aliases become)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(obj, 1, False)]
    while stack:
        value, depth, done = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        vid = id(value)
        children = [c for kv in value.items() for c in kv] if isinstance(value, dict) else value
        if done:
            active.discard(vid)
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            if total > MAX_YAML_NODES:
                return f"it expands to more than {MAX_YAML_NODES} values (YAML aliases used as a bomb?)"
            sizes[vid] = total
            continue
        if vid in sizes:
            continue
        if depth > MAX_YAML_DEPTH:
            return f"nested more than {MAX_YAML_DEPTH} levels deep"
        active.add(vid)
        stack.append((value, depth, True))
        for c in children:
            if isinstance(c, (dict, list)):
                if id(c) in active:
                    return "a YAML alias refers to the value that contains it"
                if id(c) not in sizes:
                    stack.append((c, depth + 1, False))
    return None
