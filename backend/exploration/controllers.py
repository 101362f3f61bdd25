"""Pages of problem exploration (findings, data plan, problem statement) and theory of change."""

from backend.exploration import data_plan, findings, problem_statement, theory

route_handlers: list = [
    *findings.route_handlers,
    *data_plan.route_handlers,
    *problem_statement.route_handlers,
    *theory.route_handlers,
]
