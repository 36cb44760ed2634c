from tests.cases.conftest import bench_tech, customer, lead, mini_journey, new_case  # noqa: F401
