"""``mediabase graph …``: the knowledge graph of an organization's meetings (docs/knowledge.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.identity import service as identity
from mediabase.knowledge import service as graph
from mediabase.knowledge.models import MAX_DEPTH, Direction, LayerIn, NodeType

app = typer.Typer(
    help="The knowledge graph: people, meetings, decisions, action items and topics, how they are related, and "
    "where in which video each was seen. 'mediabase graph build' derives it from the meetings; the other "
    "commands read the current graph. A node is given by its id or as type:name, e.g. 'person:Project Manager'.",
    no_args_is_help=True,
)
NodeArg = Annotated[str, typer.Argument(help="A node: its id, or type:name (e.g. person:Project Manager).")]
TypeOpt = Annotated[NodeType | None, typer.Option("--type", help="Only nodes of this type.")]
RelationOpt = Annotated[list[str] | None, typer.Option("--relation", help="Only edges of this relation "
                                                                          "(repeat for several).")]


def _at(ms: int | None) -> str:
    if ms is None:
        return ""
    s = ms // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _span(start: int | None, end: int | None) -> str:
    return "" if start is None else _at(start) if end in (None, start) else f"{_at(start)}–{_at(end)}"


def _do(org: str, work: Any, *, as_owner: bool = False) -> Any:
    """Run ``work(db, principal)`` as the organization's acting owner; domain errors are one line.
    ``as_owner``: on the owner role's pool (a build's or a written layer's ``INSERT … SELECT``
    runs there on Citus too, docs/knowledge.md), else the application role's."""

    async def _run() -> Any:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            return await work(system if as_owner else app_db, p)

    return run(_run())


@app.command("build")
def build_cmd(org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Build the organization's graph now, from its meetings: who spoke in which, who decided what
    (the speaker at the decision's moment), who owns which action item, what each was about, and
    decision links. The new graph becomes current; the previous one is kept for a rollback."""
    built = _do(org, graph.build_now, as_owner=True)
    if as_json:
        print_json(built.model_dump(mode="json"))
        return
    console.print(f"graph layer {built.layer_id}: {built.nodes} nodes, {built.edges} edges, {built.evidence} pieces "
                  f"of evidence; {built.embedded} node vectors ({built.model or 'no embedding model here'})")


@app.command("layers")
def layers_cmd(org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """List the graph layers, newest first: the current one is 'ready'."""
    rows = [x.model_dump(mode="json") for x in _do(org, graph.list_layers)]
    if as_json:
        print_json(rows)
        return
    table = Table("created", "status", "source", "model", "nodes", "edges")
    table.add_column("id", no_wrap=True, min_width=36)
    for x in rows:
        table.add_row(x["created_at"][:19], x["status"], x["source"], x["model"], str(x["nodes"]), str(x["edges"]),
                      x["id"])
    print_table(table)


@app.command("nodes")
def nodes_cmd(
    q: Annotated[str, typer.Argument(help="The start of the name (case and spacing ignored); empty: all.")] = "",
    type: TypeOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """List nodes of the current graph by name."""
    rows = [n.model_dump(mode="json") for n in _do(org, lambda db, p: graph.find_nodes(db, p, q=q, type=type,
                                                                                       limit=limit))]
    if as_json:
        print_json(rows)
        return
    table = Table("type", "name")
    table.add_column("id", no_wrap=True, min_width=36)
    for n in rows:
        table.add_row(n["type"], n["name"], n["id"])
    print_table(table)


@app.command("show")
def show_cmd(node: NodeArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Show a node and the evidence for it: the videos and moments where it was seen."""

    async def work(db: Any, p: Any) -> Any:
        return await graph.get_node(db, p, await graph.resolve(db, p, node))

    d = _do(org, work).model_dump(mode="json")
    if as_json:
        print_json(d)
        return
    console.print(f"[bold]{d['type']}: {d['name']}[/]  ({d['degree_out']} edges out, {d['degree_in']} in)  {d['id']}")
    table = Table("video", "at", "excerpt")
    for e in d["evidence"]:
        table.add_row(e["video_title"] or "", _span(e["start_ms"], e["end_ms"]), (e["excerpt"] or "")[:100])
    print_table(table)


@app.command("neighbours")
def neighbours_cmd(
    node: NodeArg,
    direction: Annotated[Direction, typer.Option(help="out: edges from the node; in: edges to it.")] = Direction.both,
    relation: RelationOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 100,
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """A node's neighbours along its edges, heaviest first."""

    async def work(db: Any, p: Any) -> Any:
        return await graph.neighbours(db, p, await graph.resolve(db, p, node), direction=direction,
                                      relations=relation, limit=limit)

    rows = [n.model_dump(mode="json") for n in _do(org, work)]
    if as_json:
        print_json(rows)
        return
    table = Table("", "relation", "weight", "type", "name")
    for n in rows:
        arrow = "→" if n["direction"] == "out" else "←"
        table.add_row(arrow, n["relation"], f"{n['weight']:g}", n["node"]["type"], n["node"]["name"])
    print_table(table)


@app.command("path")
def path_cmd(
    source: Annotated[str, typer.Argument(metavar="FROM", help="The first node (id or type:name).")],
    target: Annotated[str, typer.Argument(metavar="TO", help="The last node (id or type:name).")],
    max_depth: Annotated[int, typer.Option(min=1, max=MAX_DEPTH, help="At most this many edges.")] = 3,
    relation: RelationOpt = None,
    directed: Annotated[bool, typer.Option("--directed", help="Only along the edges' direction.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many paths.")] = 5,
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """How two nodes are connected: paths of at most --max-depth edges, shortest first."""

    async def work(db: Any, p: Any) -> Any:
        a, b = await graph.resolve(db, p, source), await graph.resolve(db, p, target)
        return await graph.paths(db, p, a, b, max_depth=max_depth, relations=relation, directed=directed,
                                 limit=limit)

    rows = [x.model_dump(mode="json") for x in _do(org, work)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"no path of at most {max_depth} edges")
    for x in rows:
        parts = [x["nodes"][0]["name"]]
        for step, n in zip(x["steps"], x["nodes"][1:], strict=True):
            parts.append(f" -{step['relation']}-> " if step["forward"] else f" <-{step['relation']}- ")
            parts.append(n["name"])
        console.print(f"{x['length']}: " + "".join(parts), soft_wrap=True)


@app.command("search")
def search_cmd(
    q: Annotated[str, typer.Argument(help="What to look for, in words.")],
    type: TypeOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 10,
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """Nodes of the current graph nearest in meaning to the words (the embedding model)."""
    rows = [m.model_dump(mode="json") for m in _do(org, lambda db, p: graph.semantic(db, p, q, type=type,
                                                                                     limit=limit))]
    if as_json:
        print_json(rows)
        return
    table = Table("score", "type", "name")
    for m in rows:
        table.add_row(f"{m['score']:.3f}", m["node"]["type"], m["node"]["name"])
    print_table(table)


@app.command("video")
def video_cmd(
    video: Annotated[str, typer.Argument(help="The video: its id or its title.")],
    from_ms: Annotated[int | None, typer.Option(min=0, help="Only what overlaps from this position (ms).")] = None,
    to_ms: Annotated[int | None, typer.Option(min=0, help="… up to this position (ms).")] = None,
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """Everything the graph knows about a video (or a moment of it), in the order of the video."""

    async def work(db: Any, p: Any) -> Any:
        return await graph.about_video(db, p, await graph.resolve_video(db, p, video), from_ms=from_ms, to_ms=to_ms)

    rows = [m.model_dump(mode="json") for m in _do(org, work)]
    if as_json:
        print_json(rows)
        return
    table = Table("at", "what")
    for m in rows:
        what = (f"{m['node']['type']}: {m['node']['name']}" if m["kind"] == "node" else
                f"{m['source']['name']} -{m['relation']}-> {m['target']['name']}")
        table.add_row(_span(m["start_ms"], m["end_ms"]) or "(whole video)", what)
    print_table(table)


@app.command("write")
def write_cmd(
    file: Annotated[Path, typer.Argument(help="A JSON file: {model, nodes: [{key, type, name, evidence}], edges: "
                                              "[{source, target, relation, weight}]} (docs/knowledge.md).")],
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """Write a whole graph from an external extractor's JSON file as a new layer, made current."""
    try:
        data = LayerIn.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except OSError as exc:
        fail(f"{file}: {exc.strerror}")
    except UnicodeDecodeError as exc:
        fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        fail(f"{file}:{exc.lineno}: {exc.msg}")
    except ValidationError as exc:
        e = exc.errors()[0]
        fail(f"{file}: {'.'.join(str(x) for x in e['loc']) or 'value'}: {e['msg']}")
    layer = _do(org, lambda db, p: graph.write_layer(db, p, data), as_owner=True)
    if as_json:
        print_json(layer.model_dump(mode="json"))
        return
    console.print(f"graph layer {layer.id}: {layer.nodes} nodes, {layer.edges} edges ({layer.status})")


@app.command("activate")
def activate_cmd(layer: Annotated[str, typer.Argument(help="The layer's id (from 'mediabase graph layers').")],
                 org: OrgOpt = "demo") -> None:
    """Make a graph layer the current one again (a rollback to the previous graph)."""
    from uuid import UUID

    try:
        layer_id = UUID(layer)
    except ValueError:
        fail(f"layer: {layer!r} is not a layer id")
    done = _do(org, lambda db, p: graph.activate_layer(db, p, layer_id))
    console.print(f"graph layer {done.id} is current")


@app.command("delete-layer")
def delete_cmd(layer: Annotated[str, typer.Argument(help="The layer's id (from 'mediabase graph layers').")],
               org: OrgOpt = "demo") -> None:
    """Delete a graph layer with all its nodes, edges, evidence and vectors."""
    from uuid import UUID

    try:
        layer_id = UUID(layer)
    except ValueError:
        fail(f"layer: {layer!r} is not a layer id")
    _do(org, lambda db, p: graph.delete_layer(db, p, layer_id))
    console.print(f"graph layer {layer_id} deleted")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="graph", rich_help_panel="Meeting intelligence")
