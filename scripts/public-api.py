#!/usr/bin/env python3
"""Lists the library's public API, one item a line, from rustdoc's JSON output.

Every change of the public surface (a new method, a changed signature, a removed variant, a
new trait implementation) then shows in the diff of tests/public-api.txt that makes it.

    scripts/public-api.py           regenerate tests/public-api.txt
    scripts/public-api.py --check   fail when the API differs from tests/public-api.txt

rustdoc's JSON output is unstable: RUSTC_BOOTSTRAP=1 lets the stable toolchain produce it.
Items are listed under the paths users write (`tower_cors::CorsLayer`), not the modules
they are defined in; the auto traits and blanket implementations every type gets are left out.
"""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "public-api.txt"
BLANKET = {"Any", "Borrow", "BorrowMut", "From", "Into", "TryFrom", "TryInto", "ToOwned",
           "ToString", "CloneToUninit", "Instrument", "WithSubscriber", "Same", "VZip",
           "PolicyExt", "ErasedDestructor", "Sealed"}
AUTO = {"Send", "Sync", "Unpin", "UnwindSafe", "RefUnwindSafe", "Freeze"}


def rustdoc_json():
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    target = pathlib.Path(env.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.check_call(
        ["cargo", "rustdoc", "--quiet", "-p", "tower-cors", "--lib", "--all-features", "--",
         "-Z", "unstable-options", "--output-format", "json"],
        cwd=ROOT, env=env)
    return json.loads((target / "doc" / "tower_cors.json").read_text())


class Api:
    def __init__(self, doc):
        self.index = doc["index"]
        self.paths = doc["paths"]
        self.lines = set()

    def item(self, id):
        return self.index.get(str(id))

    def ty(self, t):
        if t is None:
            return "()"
        kind, v = next(iter(t.items()))
        if kind == "resolved_path":
            # A path inside this crate is written as its source has it (`crate::a::B`): the
            # name alone, as users see it re-exported, keeps the list free of the layout.
            path = v["path"]
            if path.startswith("crate::") or path.startswith("self::") or path.startswith("super::"):
                path = path.rsplit("::", 1)[-1]
            return path + self.args(v.get("args"))
        if kind == "primitive" or kind == "generic":
            return v
        if kind == "borrowed_ref":
            life = (v["lifetime"] + " ") if v.get("lifetime") else ""
            return "&" + life + ("mut " if v["is_mutable"] else "") + self.ty(v["type"])
        if kind == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + self.ty(v["type"])
        if kind == "tuple":
            return "(" + ", ".join(self.ty(x) for x in v) + ")"
        if kind == "slice":
            return "[" + self.ty(v) + "]"
        if kind == "array":
            return "[" + self.ty(v["type"]) + "; " + v["len"] + "]"
        if kind == "impl_trait":
            return "impl " + " + ".join(self.bound(b) for b in v)
        if kind == "dyn_trait":
            return "dyn " + " + ".join(
                p["trait"]["path"] + self.args(p["trait"].get("args")) for p in v["traits"])
        if kind == "qualified_path":
            trait = v.get("trait")
            trait = (" as " + trait["path"]) if trait else ""
            return "<" + self.ty(v["self_type"]) + trait + ">::" + v["name"]
        if kind == "function_pointer":
            return "fn(..)"
        return kind

    def args(self, args):
        if not args or "angle_bracketed" not in args:
            if args and "parenthesized" in args:
                p = args["parenthesized"]
                return "(" + ", ".join(self.ty(x) for x in p["inputs"]) + ") -> " + self.ty(p.get("output"))
            return ""
        parts = []
        for a in args["angle_bracketed"]["args"]:
            if "type" in a:
                parts.append(self.ty(a["type"]))
            elif "lifetime" in a:
                parts.append(a["lifetime"])
            elif "const" in a:
                parts.append(a["const"].get("expr", "_"))
        for c in args["angle_bracketed"].get("constraints", []):
            binding = c.get("binding", {})
            if "equality" in binding:
                parts.append(c["name"] + " = " + self.ty(binding["equality"].get("type")))
        return "<" + ", ".join(parts) + ">" if parts else ""

    def bound(self, b):
        if "trait_bound" in b:
            t = b["trait_bound"]["trait"]
            return t["path"] + self.args(t.get("args"))
        if "outlives" in b:
            return b["outlives"]
        return "?"

    def generics(self, g):
        out = []
        for p in g.get("params", []):
            kind = p["kind"]
            if "type" in kind:
                if kind["type"].get("is_synthetic"):
                    continue
                bounds = kind["type"].get("bounds", [])
                out.append(p["name"] + (": " + " + ".join(self.bound(b) for b in bounds) if bounds else ""))
            elif "const" in kind:
                out.append("const " + p["name"] + ": " + self.ty(kind["const"]["type"]))
            elif "lifetime" in kind:
                out.append(p["name"])
        return "<" + ", ".join(out) + ">" if out else ""

    def signature(self, name, f):
        sig = f["sig"]
        header = f.get("header", {})
        prefix = ("const " if header.get("is_const") else "") + ("async " if header.get("is_async") else "")
        params = []
        for pname, ptype in sig["inputs"]:
            if pname == "self":
                params.append(self.ty(ptype).replace("Self", "self"))
            else:
                params.append(pname + ": " + self.ty(ptype))
        out = sig.get("output")
        ret = (" -> " + self.ty(out)) if out else ""
        return prefix + "fn " + name + self.generics(f.get("generics", {})) + "(" + ", ".join(params) + ")" + ret

    def add(self, line):
        self.lines.add(line)

    def walk_module(self, id, prefix):
        for child in self.item(id)["inner"]["module"]["items"]:
            self.visit(child, prefix)

    def visit(self, id, prefix, name=None):
        it = self.item(id)
        if it is None or it.get("visibility") != "public":
            return
        kind, inner = next(iter(it["inner"].items()))
        if kind == "use":
            target = inner.get("id")
            if inner.get("is_glob"):
                if target is not None and self.item(target):
                    self.walk_module(target, prefix)
                return
            if target is not None and self.item(target):
                self.visit(target, prefix, inner["name"])
            else:
                self.add(f"pub use {prefix}::{inner['name']} = {inner['source']}")
            return
        name = name or it["name"]
        path = f"{prefix}::{name}"
        if kind == "module":
            self.add(f"pub mod {path}")
            self.walk_module(id, path)
        elif kind == "struct":
            self.add(f"pub struct {path}{self.generics(inner['generics'])}")
            shape = inner["kind"]
            fields = []
            if isinstance(shape, dict):
                fields = shape.get("plain", {}).get("fields", []) or [
                    f for f in shape.get("tuple", []) if f is not None]
            for f in fields:
                field = self.item(f)
                if field and field.get("visibility") == "public":
                    self.add(f"pub {path}.{field['name']}: {self.ty(field['inner']['struct_field'])}")
            self.impls(path, inner["impls"])
        elif kind == "enum":
            self.add(f"pub enum {path}{self.generics(inner['generics'])}")
            for v in inner["variants"]:
                variant = self.item(v)
                shape = variant["inner"]["variant"]["kind"]
                fields = ""
                if isinstance(shape, dict) and "tuple" in shape:
                    fields = "(" + ", ".join(
                        self.ty(self.item(f)["inner"]["struct_field"]) for f in shape["tuple"] if f is not None) + ")"
                elif isinstance(shape, dict) and "struct" in shape:
                    fields = " { " + ", ".join(
                        self.item(f)["name"] + ": " + self.ty(self.item(f)["inner"]["struct_field"])
                        for f in shape["struct"]["fields"]) + " }"
                self.add(f"pub {path}::{variant['name']}{fields}")
            self.impls(path, inner["impls"])
        elif kind == "trait":
            self.add(f"pub trait {path}")
            for t in inner["items"]:
                self.add(f"pub trait item {path}::{self.item(t)['name']}")
        elif kind == "function":
            self.add(f"pub {self.signature(path, inner)}")
        elif kind in ("constant", "static"):
            self.add(f"pub {kind} {path}: {self.ty(inner.get('type'))}")
        elif kind == "type_alias":
            self.add(f"pub type {path} = {self.ty(inner['type'])}")
        else:
            self.add(f"pub {kind} {path}")

    def impls(self, path, impl_ids):
        for i in impl_ids:
            imp = self.item(i)["inner"]["impl"]
            if imp.get("is_synthetic") or imp.get("blanket_impl") is not None:
                continue
            trait = imp.get("trait")
            if trait is not None:
                if trait["path"] in BLANKET | AUTO:
                    continue
                self.add(f"impl{self.generics(imp['generics'])} {trait['path']}{self.args(trait.get('args'))} for {self.ty(imp['for'])}")
                continue
            for m in imp["items"]:
                member = self.item(m)
                if member.get("visibility") != "public":
                    continue
                mkind, minner = next(iter(member["inner"].items()))
                if mkind == "function":
                    self.add(f"pub {self.signature(path + '::' + member['name'], minner)}")
                elif mkind == "assoc_const":
                    self.add(f"pub const {path}::{member['name']}: {self.ty(minner.get('type'))}")


def main():
    doc = rustdoc_json()
    api = Api(doc)
    api.walk_module(doc["root"], "tower_cors")
    text = "".join(line + "\n" for line in sorted(api.lines))
    if "--check" in sys.argv[1:]:
        old = OUT.read_text() if OUT.exists() else ""
        if old != text:
            import difflib
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), "tests/public-api.txt", "now"))
            sys.exit("the public API changed: review it, then run scripts/public-api.py and commit tests/public-api.txt")
        print(f"tests/public-api.txt: the public API is as committed ({len(api.lines)} items)")
        return
    OUT.write_text(text)
    print(f"wrote tests/public-api.txt: {len(api.lines)} items")


if __name__ == "__main__":
    main()
