"""The subcommands that do more than build a timeline and print it: one module per subcommand
(and its helpers, named after it). Imports nothing, so `cli` can build its parser cheaply."""
