import sys


def _top_level_args(environment):
    return ["--quiet", "--metadata=local", "--environment=%s" % environment.TYPE]


def step_command(flow_file, step_name, environment, input_paths):
    cmd = [sys.executable, flow_file] + _top_level_args(environment)
    cmd += ["--tag", "acme", "step", step_name]
    cmd += ["--run-id", "{{ run_id }}", "--task-id", "{{ task_id }}"]
    cmd += ["--input-paths", input_paths]
    cmd += ["--retry-count", "0"]
    return cmd


def worker_env(datastore_root):
    return {
        "METAFLOW_DEFAULT_DATASTORE": "local",
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": datastore_root,
    }


def compile_workflow(flow, graph, environment, branch=None):
    flow_file = sys.argv[0]
    jobs = []
    for node in graph:
        inputs = ",".join("{{ run_id }}/%s/{{ task_id }}" % parent for parent in node.in_funcs)
        jobs.append(
            {
                "name": node.name,
                "command": step_command(flow_file, node.name, environment, inputs),
                "env": worker_env("/tmp/acme"),
                "depends_on": list(node.in_funcs),
            }
        )
    return {"flow": flow.name, "jobs": jobs}
