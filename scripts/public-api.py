#!/usr/bin/env python3
"""Lists the public API of mchat-core from rustdoc's JSON, one item a line.

    cargo +nightly rustdoc -p mchat-core --lib -- -Z unstable-options --output-format json
    python3 scripts/public-api.py target/doc/mchat_core.json > docs/public-api.txt

The list is reviewed in docs/public-api.txt: a change to it is a change to
what embedders can rely on.
"""
import json
import sys

doc = json.load(open(sys.argv[1]))
index = doc["index"]
root = index[str(doc["root"])]
out = []


def kind_of(item):
    return next(iter(item["inner"]))


def walk(item_id, path, rename=None):
    item = index.get(str(item_id))
    if item is None:
        return
    if item.get("visibility") != "public":
        return
    if any(a for a in item.get("attrs", []) if "doc(hidden)" in str(a)):
        return
    kind = kind_of(item)
    inner = item["inner"][kind]
    name = rename or item.get("name")
    if kind == "module":
        p = path + [name] if name else path
        for child in inner["items"]:
            walk(child, p)
        return
    if kind == "use":
        # A re-export: list the item where the user finds it.
        target = inner.get("id")
        if target is not None and str(target) in index:
            walk(target, path, rename=inner["name"])
        return
    full = "::".join(path + [name])
    out.append(f"{kind} {full}")
    if kind in ("struct", "enum"):
        if kind == "enum":
            for v in inner.get("variants", []):
                out.append(f"variant {full}::{index[str(v)]['name']}")
        for impl_id in inner.get("impls", []):
            impl = index[str(impl_id)]["inner"]["impl"]
            if impl.get("trait") is not None or impl.get("synthetic") or impl.get("blanket_impl"):
                continue
            for m in impl["items"]:
                mi = index[str(m)]
                if mi.get("visibility") == "public":
                    out.append(f"{kind_of(mi)} {full}::{mi['name']}")


walk(doc["root"], [])
print("\n".join(sorted(set(out))))
