"""--deploy-args parsing, routing, secret handling and endpoint discovery."""

import pytest

from mfok_runtime.compliance.deploy_args import (
    REDACTED,
    DeployArgsError,
    hosts_in,
    is_secret_key,
    parse_deploy_args,
    redact,
    split_items,
)


def test_quoted_values_keep_commas_equals_and_inner_quotes():
    args = parse_deploy_args(['note="a,b=c",path=\'/x,y\',plain=1=2,mixed="it\'s, fine"'])
    assert args.create == {"note": "a,b=c", "path": "/x,y", "plain": "1=2", "mixed": "it's, fine"}


def test_backslash_escapes_a_comma_outside_quotes():
    assert split_items(r"a=x\,y,b=z") == ["a=x,y", "b=z"]


def test_prefixes_route_to_deployer_flow_and_env():
    args = parse_deploy_args(["deployer.max-workers=json:4,flow.branch=dev,env.PREFECT_API_URL=http://h:1/api,k=v"])
    assert args.deployer == {"max_workers": 4}
    assert args.flow == {"branch": "dev"}
    assert args.env == {"PREFECT_API_URL": "http://h:1/api"}
    assert args.create == {"k": "v"}


def test_repeated_key_becomes_a_list_and_json_prefix_types_the_value():
    args = parse_deploy_args(["tags=a,tags=b", "flag=json:true,n=json:3,items='json:[1, 2]'"])
    assert args.create == {"tags": ["a", "b"], "flag": True, "n": 3, "items": [1, 2]}


def test_values_stay_strings_without_the_json_prefix():
    assert parse_deploy_args(["n=3,flag=true"]).create == {"n": "3", "flag": "true"}


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("novalue", "not key=value"),
        ("=v", "not key=value"),
        ('a="unterminated', "No closing quotation"),
        ("bad key=1", "not a valid option name"),
        ("n=json:{oops", "not valid JSON"),
    ],
)
def test_malformed_specs_raise_one_line_errors(spec, fragment):
    with pytest.raises(DeployArgsError) as info:
        parse_deploy_args([spec])
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("key", ["token", "api_token", "env.PREFECT_API_KEY", "password", "db_passwd", "client_secret", "key", "credentials"])
def test_secret_keys_are_recognised(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["keyspace", "monkey_count", "work_pool", "url"])
def test_ordinary_keys_are_not_secret(key):
    assert not is_secret_key(key)


def test_secrets_are_redacted_in_descriptions_and_free_text():
    args = parse_deploy_args(['api_token="s3cr3t,with,commas",url=http://h:1,env.DB_PASSWORD=hunter2'])
    assert "s3cr3t" not in args.describe() and "hunter2" not in args.describe()
    assert "url=http://h:1" in args.describe()
    text = "auth failed for s3cr3t,with,commas and hunter2"
    assert args.redact(text) == "auth failed for %s and %s" % (REDACTED, REDACTED)


def test_redaction_replaces_the_longest_secret_first():
    assert redact("abc abcdef", ["abc", "abcdef"]) == "%s %s" % (REDACTED, REDACTED)


def test_round_trip_through_json_keeps_routes_and_secrets():
    from mfok_runtime.compliance.deploy_args import DeployArgs

    args = parse_deploy_args(["deployer.x=1,token=t0k,env.A=b"])
    again = DeployArgs.from_json(args.to_json())
    assert (again.deployer, again.create, again.env, again.secrets) == ({"x": "1"}, {"token": "t0k"}, {"A": "b"}, ["t0k"])


def test_endpoints_are_found_in_urls_and_host_keys():
    args = parse_deploy_args(["api=http://127.0.0.1:4200/api,secure=https://example.org/x,db_host=localhost:5432,name=x:1"])
    assert hosts_in(args) == [
        ("api", "http", "127.0.0.1", 4200),
        ("secure", "https", "example.org", 443),
        ("db_host", "", "localhost", 5432),
    ]
