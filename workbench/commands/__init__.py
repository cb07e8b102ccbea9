"""The `workbench` command's subcommands that print and write reports; `workbench.cli` wires them."""
