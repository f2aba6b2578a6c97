"""Draw a model's signed regulatory network, nodes coloured by their state.

Edges come from :attr:`LogicalModel.graph`: activations are green arrows,
inhibitions red bars, dual influences grey.  Nodes are laid out in layers by
their distance from the inputs (inputs on top, read-outs at the bottom) and
coloured by a state (levels, or probabilities such as the last window of a
simulation) or, without a state, by role (input, internal, output).

Examples
--------
>>> import booleanidt.maps
>>> model = booleanidt.maps.load("ra_synovial_fibroblast")
>>> ax = plot_network(model, state={"TNF_e": 1, "NFKB": 1, "Apoptosis": 0})
>>> len(ax.collections) > 0
True
"""
from __future__ import annotations

import textwrap
from collections import Counter
from typing import Mapping, Optional

import matplotlib.pyplot as plt
from matplotlib.colors import LinearSegmentedColormap
import networkx as nx

from .io._files import save_png
from .errors import BooleanidtError
from .model import LogicalModel

__all__ = ["plot_network", "layered_layout", "short_label", "EDGE_STYLES", "STATE_COLOURS"]

#: sign -> (colour, matplotlib arrow style)
EDGE_STYLES = {1: ("#2e7d32", "-|>"), -1: ("#c62828", "-["), 0: ("#757575", "-|>")}
#: default colour map of node states: light blue (off) to orange (on), dark enough labels stay readable
STATE_COLOURS = LinearSegmentedColormap.from_list("booleanidt_state", ["#d6e4f0", "#f28e2b"])
_ROLE_COLOURS = {"input": "#90caf9", "internal": "#e0e0e0", "output": "#ffcc80"}


def layered_layout(model: LogicalModel, max_width: int = 12) -> dict:
    """Positions with nodes in rows by their shortest distance from the inputs.

    Read-outs (nodes that regulate nothing) and nodes that no input reaches go in
    the bottom layer.  A layer wider than ``max_width`` nodes wraps onto several rows,
    so large maps stay readable (taller, not wider).

    >>> from booleanidt.expr import Var
    >>> m = LogicalModel.from_rules({"A": None, "B": Var("A"), "C": Var("B")})
    >>> {node: y for node, (_, y) in layered_layout(m).items()}
    {'A': 0.0, 'B': -1.0, 'C': -2.0}
    >>> sorted({y for _, y in layered_layout(m, max_width=1).values()})
    [-2.0, -1.0, 0.0]
    """
    graph = model.graph
    sources = list(model.inputs) or [n for n in graph if graph.in_degree(n) == 0] or list(graph)[:1]
    depth = nx.multi_source_dijkstra_path_length(graph, sources) if sources else {}
    outputs = set(model.outputs) - set(model.inputs)
    deepest = max((d for n, d in depth.items() if n not in outputs), default=0)
    layers: dict = {}
    for node in model.nodes:
        layer = deepest + 1 if node in outputs or node not in depth else depth[node]
        layers.setdefault(int(layer), []).append(node)
    positions, row = {}, 0
    for layer in sorted(layers):
        members = sorted(layers[layer], key=lambda n: _barycentre(graph, n, positions, layers[layer].index(n)))
        for start in range(0, len(members), max_width):
            line = members[start:start + max_width]
            for i, node in enumerate(line):
                positions[node] = (i - (len(line) - 1) / 2, float(-row))
            row += 1
    return positions


def _barycentre(graph, node, placed: dict, default: float) -> float:
    """Mean x of the node's already placed regulators (orders a row to reduce crossings)."""
    xs = [placed[p][0] for p in graph.predecessors(node) if p in placed and p != node]
    return sum(xs) / len(xs) if xs else default


def short_label(text: str, width: int = 9, lines: int = 2) -> str:
    """``text`` wrapped on at most ``lines`` lines of ``width`` characters, cut with ``…`` beyond.

    >>> short_label("TNF")
    'TNF'
    >>> print(short_label("RIG-I:dsRNA_complex_mitochondrion"))
    RIG-I:dsR
    NA_compl…
    """
    wrapped = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [text]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][:width - 1] + "…"
    return "\n".join(wrapped)


def _node_colours(model: LogicalModel, state: Optional[Mapping[str, float]], cmap):
    if state is None:
        outputs = set(model.outputs)
        roles = ["input" if model.is_input(n) else "output" if n in outputs else "internal" for n in model.nodes]
        return [_ROLE_COLOURS[r] for r in roles]
    levels = model.max_levels
    return [cmap(state[n] / levels[n]) if n in state else (1, 1, 1, 1) for n in model.nodes]


def plot_network(model: LogicalModel, state: Optional[Mapping[str, float]] = None, ax=None,
                 positions: Optional[dict] = None, title: Optional[str] = None, path=None,
                 cmap=None, font_size: float = 7.0, labels: str = "id"):
    """Draw the signed regulatory graph of ``model``.

    Parameters
    ----------
    model : LogicalModel
    state : node -> level or probability (0..max level); nodes left out are drawn white.
        None colours nodes by role: inputs blue, read-outs orange, others grey.
    ax : matplotlib Axes to draw on (a new figure when None)
    positions : node -> (x, y); default :func:`layered_layout`
    title : axes title
    path : write the figure there as PNG (atomically) when given
    cmap : matplotlib colour map (or its name) for the state; default light blue (0) to orange (1)
    font_size : size of the node labels
    labels : ``"id"`` or ``"name"`` (the node's name where it has one: CaSQ maps have
        ids such as ``s_123`` and readable names)

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import booleanidt.maps
    >>> ax = plot_network(booleanidt.maps.load("th_differentiation"), title="Th")
    >>> ax.get_title()
    'Th'
    """
    graph = model.graph
    positions = positions or layered_layout(model)
    if ax is None:
        row_sizes = Counter(y for _, y in positions.values())
        width = max(6.0, 0.9 * max(row_sizes.values()))
        _, ax = plt.subplots(figsize=(min(width, 18.0), 1.1 * len(row_sizes) + 1.5))
    colour_map = plt.get_cmap(cmap) if cmap is not None else STATE_COLOURS
    nx.draw_networkx_nodes(graph, positions, nodelist=list(model.nodes), ax=ax, node_size=900,
                           node_color=_node_colours(model, state, colour_map), edgecolors="#424242",
                           linewidths=0.8)
    if labels not in ("id", "name"):
        raise BooleanidtError(f"labels must be 'id' or 'name' (got {labels!r})")
    for node_id, node in model.nodes.items():  # long labels wrap and shrink to fit their disc
        text = short_label(node.label if labels == "name" else node_id)
        longest = max(len(line) for line in text.split("\n"))
        nx.draw_networkx_labels(graph, {node_id: positions[node_id]}, labels={node_id: text}, ax=ax,
                                font_size=font_size * min(1.0, max(0.7, 6.0 / max(longest, 1))))
    for sign, (colour, style) in EDGE_STYLES.items():
        edges = [(u, v) for u, v, s in graph.edges(data="sign")
                 if s == sign and not (u == v and model.is_input(u))]
        for same_row in (False, True):  # edges within a row bend more, so they pass above the nodes between
            group = [(u, v) for u, v in edges if (positions[u][1] == positions[v][1]) == same_row]
            if group:
                nx.draw_networkx_edges(graph, positions, edgelist=group, ax=ax, edge_color=colour, arrowstyle=style,
                                       arrowsize=12, node_size=900, width=1.2,
                                       connectionstyle=f"arc3,rad={0.35 if same_row else 0.08}")
    _legend(ax, state is None, colour_map)
    if title:
        ax.set_title(title)
    ax.set_axis_off()
    if path is not None:
        save_png(ax.figure, path, bbox_inches="tight")
    return ax


def _legend(ax, by_role: bool, colour_map):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Line2D([], [], color=EDGE_STYLES[1][0], label="activation"),
               Line2D([], [], color=EDGE_STYLES[-1][0], label="inhibition")]
    if by_role:
        handles += [Patch(facecolor=c, edgecolor="#424242", label=r) for r, c in _ROLE_COLOURS.items()]
    else:
        handles += [Patch(facecolor=colour_map(value), edgecolor="#424242", label=label)
                    for value, label in ((0.0, "off (0)"), (0.5, "0.5"), (1.0, "on (1)"))]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
