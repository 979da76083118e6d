"""MFO103 provider-descriptor-invalid: a ``*_DESC`` entry Metaflow cannot load as written.

Metaflow reads each ``<CATEGORY>S_DESC`` list of a ``plugins`` configuration file as ``(name, path)``
pairs: a bare string or a pair of the wrong size is silently mis-read, a path that names no module or no
attribute fails with ``ValueError: Cannot locate ...`` when the plugin is loaded, and a class whose ``TYPE``
(``name`` for decorators and client providers) differs from the entry's name fails with ``ValueError:
... expected to be named ...``. For a deployer provider that surfaces only when a user first touches
``Deployer``.

Decisions:
- Only entries this rule can read are judged: computed lists, non-literal names or paths, paths outside the
  package (``metaflow.plugins...``, another distribution), classes whose ``TYPE`` comes from outside the
  package or is computed, and modules with star imports or a module ``__getattr__`` are left alone.
- "Does not resolve" needs the package on disk; a file linted under a made-up path is judged on its shape only.
- CLI entries (``CLIS_DESC``) are resolved here; their group structure and naming is MFO104.
"""

from __future__ import annotations

from mfok_lint.model.package import DESC_NAME_ATTRIBUTE, UNKNOWN, resolve_relative
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context


class ProviderDescriptorInvalid(Rule):
    def check(self, ctx: Context) -> None:
        package = ctx.package
        base = package.config_package()
        for desc in package.descriptors():
            for node, problem in desc.shape_errors:
                ctx.report(node, problem)
            for entry in desc.entries:
                if entry.path is None or entry.path_node is None:
                    continue
                absolute = resolve_relative(entry.path, base)
                if absolute is None:
                    ctx.report(entry.path_node, f"`{entry.path}` climbs out of the `metaflow_extensions` package")
                    continue
                if "." not in absolute.strip("."):
                    continue
                module_name, attr = absolute.rsplit(".", 1)
                if package.module_missing(module_name):
                    ctx.report(
                        entry.path_node, f"`{entry.path}` does not resolve: there is no module `{module_name}`"
                    )
                    continue
                resolved = package.resolve(absolute)
                if resolved is None:
                    continue
                if resolved.binding is None:
                    if not resolved.opaque:
                        ctx.report(
                            entry.path_node,
                            f"`{entry.path}` does not resolve: module `{module_name}` defines no `{attr}`",
                        )
                    continue
                attribute = DESC_NAME_ATTRIBUTE.get(desc.desc)
                if attribute is None or entry.name is None:
                    continue
                found = package.find_class(resolved)
                if found is None:
                    continue
                value, _node = package.class_attribute(*found, attribute)
                if value is UNKNOWN or value is None:
                    continue
                if value != entry.name:
                    cls = found[1].name.value
                    ctx.report(
                        entry.name_node,
                        f"`{desc.desc}` names `{entry.name}` but `{cls}.{attribute}` is `{value}`: Metaflow refuses to load it",
                    )
