//! certbound's Cloudflare Worker (pipeline smoke version).
#![forbid(unsafe_code)]

use worker::{Context, Env, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    let cf = js_sys::Reflect::get(req.inner(), &"cf".into()).unwrap_or_default();
    let auth = js_sys::Reflect::get(&cf, &"tlsClientAuth".into()).unwrap_or_default();
    let fp = js_sys::Reflect::get(&auth, &"certFingerprintSHA256".into())
        .ok()
        .and_then(|v| v.as_string());
    Response::ok(format!("fp={fp:?}"))
}
