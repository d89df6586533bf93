"""The sandbox's widgets: each gets a Frame pushed down and posts Messages up."""
