//! `path` cases: chain validation outcomes over the corpus PKI and the RFC 9440 chain.

use serde_json::{Value, json};

use super::super::pki::Pki;
use super::super::{Declared as D, Gen};
use super::{RFC9440_INTER_X5T, RFC9440_LEAF_X5T, RFC9440_ROOT_X5T, RFC9440_TIME, file, shared};
use crate::parity::Kind::Path;

pub(super) fn cases(g: &mut Gen, p: &Pki) {
    let f = |n: &str| file(&p.get(n).file);
    let root_only = file(&p.get("root").file);
    let chain = |ns: &[&str]| -> Value { ns.iter().map(|n| json!(p.get(n).x5t())).collect() };
    let input = |leaf: Value, inter: Vec<Value>, anchors: Value| json!({"leaf": leaf, "intermediates": inter, "anchors": anchors});

    g.case(
        Path,
        "valid",
        "client → intermediate → root, clientAuth",
        input(f("client"), vec![f("inter")], root_only.clone()),
        D::Ok(Some(json!({
            "chain": chain(&["client", "inter", "root"]),
            "anchor_subject": "CN=Parity Root CA,O=certbound parity",
        }))),
    );
    g.case(
        Path,
        "valid-two-anchors",
        "the same path with two trust anchors configured",
        input(f("client"), vec![f("inter")], file("pki/anchors.pem")),
        D::Ok(None),
    );
    g.case(
        Path,
        "valid-extra-intermediates",
        "unrelated and duplicate intermediates are ignored by path building",
        input(
            f("client"),
            vec![f("other-root"), f("inter"), f("inter")],
            root_only.clone(),
        ),
        D::Ok(None),
    );
    g.case(
        Path,
        "valid-ed25519-leaf",
        "an Ed25519 client certificate under the P-256 intermediate",
        input(f("client-ed25519"), vec![f("inter")], root_only.clone()),
        D::Ok(None),
    );
    g.case(
        Path,
        "no-eku",
        "a leaf without an EKU extension",
        input(f("no-eku"), vec![f("inter")], root_only.clone()),
        D::Ok(None),
    );
    g.case(
        Path,
        "missing-intermediate",
        "the intermediate is not supplied: no path to the root",
        input(f("client"), vec![], root_only.clone()),
        D::Err("Path.UnknownIssuer", None),
    );
    g.case(
        Path,
        "unknown-root",
        "issued under a root that is not trusted",
        input(f("foreign"), vec![], root_only.clone()),
        D::Err("Path.UnknownIssuer", None),
    );
    g.case(
        Path,
        "expired",
        "the leaf expired a year before the case time",
        input(f("client-expired"), vec![f("inter")], root_only.clone()),
        D::Err("Path.Expired", None),
    );
    g.case(
        Path,
        "not-yet-valid",
        "the leaf becomes valid a year after the case time",
        input(f("client-future"), vec![f("inter")], root_only.clone()),
        D::Err("Path.NotYetValid", None),
    );
    g.case_at(
        Path,
        "valid-before-expiry",
        "the expired leaf at a time inside its validity",
        1_720_000_000,
        input(f("client-expired"), vec![f("inter")], root_only.clone()),
        D::Ok(None),
    );
    g.case(
        Path,
        "server-auth-only",
        "a leaf whose EKU is serverAuth only, validated for clientAuth",
        input(f("server-only"), vec![f("inter")], root_only.clone()),
        D::Err("Path.WrongPurpose", None),
    );
    g.case(
        Path,
        "server-auth-purpose",
        "the serverAuth leaf validated for serverAuth",
        json!({"leaf": f("server-only"), "intermediates": [f("inter")], "anchors": root_only, "purpose": "server_auth"}),
        D::Ok(None),
    );
    g.case(
        Path,
        "client-for-server",
        "the clientAuth leaf validated for serverAuth",
        json!({"leaf": f("client"), "intermediates": [f("inter")], "anchors": root_only, "purpose": "server_auth"}),
        D::Err("Path.WrongPurpose", None),
    );
    g.case(
        Path,
        "ca-as-leaf",
        "a CA certificate presented as the client certificate",
        input(f("ca-leaf"), vec![], root_only.clone()),
        D::Err("Path.CaUsedAsLeaf", None),
    );
    g.case(
        Path,
        "path-length",
        "a leaf under a sub-CA of an intermediate with pathLen 0",
        input(
            f("deep"),
            vec![f("sub-inter"), f("inter")],
            root_only.clone(),
        ),
        D::Err("Path.PathLenExceeded", None),
    );
    g.case(
        Path,
        "bad-signature",
        "the client certificate with a flipped signature byte",
        input(
            file("pki/client-badsig.pem"),
            vec![f("inter")],
            root_only.clone(),
        ),
        D::Err("Path.BadSignature", None),
    );
    g.case(
        Path,
        "self-signed-leaf",
        "a self-signed client certificate against the corpus root",
        input(f("self-signed"), vec![], root_only.clone()),
        D::Err("Path.UnknownIssuer", None),
    );
    g.case(
        Path,
        "anchor-is-leaf",
        "the self-signed certificate as its own trust anchor",
        input(f("self-signed"), vec![], f("self-signed")),
        D::Err("Path.Profile", None),
    );
    g.case(
        Path,
        "empty-anchors",
        "no trust anchors at all",
        input(f("client"), vec![f("inter")], json!("")),
        D::AnyErr,
    );
    g.case(
        Path,
        "garbage-intermediate",
        "an intermediate that is not a certificate",
        input(f("client"), vec![json!("not a certificate")], root_only),
        D::AnyErr,
    );

    // RFC 9440 Appendix A, by reference: valid in 2020, expired now.
    let rfc = |time_name: &str| json!({"leaf": shared("c00"), "intermediates": [shared("c01")], "anchors": shared("c02"), "purpose": if time_name == "server" { "server_auth" } else { "client_auth" }});
    g.case_at(
        Path,
        "rfc9440-2020",
        "the RFC 9440 example chain at 2020-05-20",
        RFC9440_TIME,
        rfc("client"),
        D::Ok(Some(json!({
            "chain": [RFC9440_LEAF_X5T, RFC9440_INTER_X5T, RFC9440_ROOT_X5T],
            "anchor_subject": "CN=Let's Authenticate Root Authority,O=Let's Authenticate,C=US",
        }))),
    );
    g.case(
        Path,
        "rfc9440-now",
        "the RFC 9440 example chain at the case time: the leaf expired in 2021",
        rfc("client"),
        D::Err("Path.Expired", None),
    );
    g.case_at(
        Path,
        "rfc9440-server-purpose",
        "the RFC 9440 leaf (clientAuth only) validated for serverAuth",
        RFC9440_TIME,
        rfc("server"),
        D::Err("Path.WrongPurpose", None),
    );
}
