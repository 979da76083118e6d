"""MFO104 cli-group-structure: the ``CLIS_DESC`` target is not a click group with one command named like the provider.

Metaflow names a CLI plugin after the single command of the group a ``CLIS_DESC`` entry points to: a
group holding no command or several yields the name "too many commands", and any name other than the
entry's raises ``ValueError`` when the flow's CLI is built. The ``Deployer`` then runs
``python flow.py <TYPE> create ...``, so an orchestrator's deployer ``TYPE`` must be the name of one of the
package's CLI commands.

Decisions:
- Reported on the ``CLIS_DESC`` entry (or the deployer entry) in the configuration file, where the
  registration is written; the message names the group and its commands.
- The group's commands are the ``@<group>.command``/``@<group>.group`` functions and ``<group>.add_command``
  calls of its module. When the group is used anywhere else in that module (passed to a helper, called
  under ``__main__``) the count is not trusted and nothing is reported on it.
- Command names follow Metaflow's vendored click (the function name, lowercased, ``_`` -> ``-``) unless the
  decorator names the command; with the PyPI click (which strips ``_command``/``_group`` suffixes since 8.2)
  such function names are left alone.
- Targets defined by assignment (``cli = click.Group(...)``) or outside the package are unknown: silent.
"""

from __future__ import annotations

from mfok_lint.model.package import CLI_DESCS, UNKNOWN, read_click_group, resolve_relative
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context


class CliGroupStructure(Rule):
    def check(self, ctx: Context) -> None:
        package = ctx.package
        base = package.config_package()
        descs = package.descriptors()
        cli_names = set()
        cli_known = any(d.desc == "CLIS_DESC" for d in descs)
        for desc in descs:
            if desc.desc not in CLI_DESCS:
                continue
            if not desc.complete:
                cli_known = False
            for entry in desc.entries:
                name = self._check_entry(ctx, base, entry)
                if name is UNKNOWN:
                    cli_known = False
                elif name is not None:
                    cli_names.add(name)
        if not cli_known:
            return
        for desc in descs:
            if desc.desc != "DEPLOYER_IMPL_PROVIDERS_DESC":
                continue
            for entry in desc.entries:
                provider_type = self._provider_type(package, base, entry)
                if provider_type is None or provider_type in cli_names:
                    continue
                ctx.report(
                    entry.node,
                    f"Deployer `TYPE` `{provider_type}` has no CLI command of that name in `CLIS_DESC`: "
                    f"`Deployer(...).{provider_type.replace('-', '_')}()` runs `python flow.py {provider_type} create`, which fails",
                )

    def _check_entry(self, ctx: Context, base, entry):
        package = ctx.package
        """The command name this entry provides, or UNKNOWN (unknowable, or already reported as broken)."""
        if entry.path is None or entry.name is None:
            return UNKNOWN
        absolute = resolve_relative(entry.path, base)
        if absolute is None or "." not in absolute:
            return UNKNOWN
        resolved = package.resolve(absolute)
        if resolved is None or resolved.binding is None:
            return UNKNOWN  # unresolvable paths are MFO103's
        if resolved.binding.kind != "function":
            return UNKNOWN
        group = read_click_group(resolved.file.module, resolved.attr)
        if group is None or group.is_group is None:
            return UNKNOWN
        target = f"`{resolved.attr}` in `{resolved.module_name}`"
        if group.is_group is False:
            ctx.report(entry.node, f"{target} is not a click group: Metaflow mounts the group's single command")
            return UNKNOWN
        if not group.complete:
            return UNKNOWN
        names = [n for n, _ in group.commands]
        if len(names) != 1:
            listed = ", ".join(f"`{n}`" if n else "?" for n in names) or "none"
            ctx.report(
                entry.node,
                f"Group {target} holds {len(names)} commands ({listed}); Metaflow needs exactly one, named `{entry.name}`",
            )
            return UNKNOWN
        command = names[0]
        if command is None:
            return UNKNOWN
        if command != entry.name:
            ctx.report(
                entry.node,
                f"Group {target} holds command `{command}` but the entry is named `{entry.name}`: Metaflow raises ValueError",
            )
            return UNKNOWN
        return command

    def _provider_type(self, package, base, entry):
        if entry.path is None:
            return None
        absolute = resolve_relative(entry.path, base)
        if absolute is None:
            return None
        resolved = package.resolve(absolute)
        if resolved is None:
            return None
        found = package.find_class(resolved)
        if found is None:
            return None
        value, _ = package.class_attribute(*found, "TYPE")
        return value if isinstance(value, str) else None
