//! Static files of the browser page (`www/dist/`) at `/`: an allow-list of extensions with their
//! content types, no directory listings, no path that leaves the root.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};

/// Largest static file served (32 MiB): the wasm module is the biggest and far below it.
pub(crate) const MAX_STATIC_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Content type for an allowed extension; `None` means the file is not served.
pub(crate) fn content_type(path: &Path) -> Option<&'static str> {
    Some(match path.extension()?.to_str()? {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "map" => "application/json",
        _ => return None,
    })
}

/// Maps a URL path to a file under `root`: only normal components, `index.html` for `/`.
pub(crate) fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = url_path.trim_start_matches('/');
    let rel = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    };
    if rel.contains('\\') || rel.contains('\0') {
        return None;
    }
    let mut out = root.to_path_buf();
    for c in Path::new(&rel).components() {
        match c {
            Component::Normal(s) if !s.to_string_lossy().starts_with('.') => out.push(s),
            _ => return None,
        }
    }
    Some(out)
}

/// Serves `url_path` from `root`, or 404.
pub(crate) async fn serve(root: &Path, url_path: &str) -> Response<Body> {
    let not_found = || {
        let mut r = Response::new(Body::from("not found\n"));
        *r.status_mut() = StatusCode::NOT_FOUND;
        r
    };
    let Some(path) = resolve(root, url_path) else {
        return not_found();
    };
    let Some(ct) = content_type(&path) else {
        return not_found();
    };
    // Symlinks out of the root are refused: the canonical path must stay under the canonical root.
    let (Ok(canon), Ok(canon_root)) = (
        tokio::fs::canonicalize(&path).await,
        tokio::fs::canonicalize(root).await,
    ) else {
        return not_found();
    };
    if !canon.starts_with(&canon_root) {
        return not_found();
    }
    match tokio::fs::metadata(&canon).await {
        Ok(m) if m.is_file() && m.len() <= MAX_STATIC_FILE_BYTES => {}
        _ => return not_found(),
    }
    match tokio::fs::read(&canon).await {
        Ok(bytes) => {
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            r.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            r
        }
        Err(_) => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: traversal, hidden files and odd separators never resolve; `/` maps to index.html.
    #[test]
    fn resolve_rules() {
        let root = Path::new("/srv/www");
        assert_eq!(
            resolve(root, "/"),
            Some(PathBuf::from("/srv/www/index.html"))
        );
        assert_eq!(
            resolve(root, "/pkg/app_bg.wasm"),
            Some(PathBuf::from("/srv/www/pkg/app_bg.wasm"))
        );
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/../../b"), None);
        assert_eq!(resolve(root, "/.git/config"), None);
        assert_eq!(resolve(root, "/a\\..\\b"), None);
        assert_eq!(
            resolve(root, "//etc/passwd"),
            Some(PathBuf::from("/srv/www/etc/passwd"))
        );
    }

    // Intent: wasm gets application/wasm; unknown extensions are not served.
    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a.wasm")), Some("application/wasm"));
        assert_eq!(
            content_type(Path::new("a.js")),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(content_type(Path::new("a.key")), None);
        assert_eq!(content_type(Path::new("Makefile")), None);
    }
}
