//! The floor under the app's memory: the same Tauri build and window (1280×800) showing one
//! line of text, with no store, no commands and no UI. The memory figures in docs/src/benchmarks.md put it
//! beside the app.

const PAGE: &str = "<!doctype html><meta charset=utf-8><h1>Pendamping</h1>";

fn main() {
    let mut context = tauri::generate_context!();
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::External("bare://localhost/".parse().expect("a valid URL"));
    }
    let app = tauri::Builder::default().register_uri_scheme_protocol("bare", |_, _| {
        tauri::http::Response::builder()
            .header("content-type", "text/html")
            .body(PAGE.as_bytes().to_vec())
            .expect("a static response")
    });
    if let Err(e) = app.run(context) {
        eprintln!("bare window: {e}");
        std::process::exit(1);
    }
}
