//! Event preparation, the CAPI request body and the classification of Graph answers, from the
//! shared vector files. Runs natively and on wasm32 (Node) from the same files.

use capiflare_core::capi::{self, Outcome};
use capiflare_core::event::{self, Arrival, IncomingEvent, ServerEvent};
use serde_json::Value;

const EVENTS: &str = include_str!("../../../tests/vectors/events.json");
const GRAPH: &str = include_str!("../../../tests/vectors/graph_responses.json");

fn str_of<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn events_vectors() {
    let file: Value = serde_json::from_str(EVENTS).unwrap();
    let now = file["now_secs"].as_u64().unwrap();
    let year = u16::try_from(file["current_year"].as_u64().unwrap()).unwrap();
    let fresh = file["fresh_event_id"].as_str().unwrap();
    let mut failures = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let arrival = &case["arrival"];
        let at = Arrival {
            now_secs: now,
            current_year: year,
            fresh_event_id: fresh,
            client_ip: str_of(arrival, "client_ip"),
            user_agent: str_of(arrival, "user_agent"),
            require_hashed: arrival["require_hashed"].as_bool().unwrap(),
        };
        let input: IncomingEvent = match serde_json::from_value(case["input"].clone()) {
            Ok(i) => i,
            Err(e) => {
                failures.push(format!("{name}: input does not parse: {e}"));
                continue;
            }
        };
        let got = event::prepare(&input, &at);
        match (got, case.get("expected"), str_of(case, "error")) {
            (Ok(ev), Some(want), None) => {
                let want: ServerEvent = serde_json::from_value(want.clone()).unwrap();
                if ev != want {
                    failures.push(format!("{name}: got {ev:?}"));
                }
            }
            (Err(e), None, Some(code)) if e.code() == code => {}
            (got, _, _) => failures.push(format!("{name}: got {:?}", got.map_err(|e| e.code()))),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn graph_response_vectors() {
    let file: Value = serde_json::from_str(GRAPH).unwrap();
    let mut failures = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let status = case["status"].as_u64().map(|s| u16::try_from(s).unwrap());
        let got = capi::classify(status, case["body"].as_str().unwrap());
        let (kind, failure) = match &got {
            Outcome::Success {
                events_received,
                fbtrace_id,
            } => {
                if Some(*events_received) != case["events_received"].as_u64()
                    || fbtrace_id.as_deref() != str_of(case, "fbtrace_id")
                {
                    failures.push(format!("{name}: {got:?}"));
                }
                ("success", None)
            }
            Outcome::Transient(f) => ("transient", Some(f)),
            Outcome::Rejected(f) => ("rejected", Some(f)),
            Outcome::Permanent(f) => ("permanent", Some(f)),
        };
        let codes_ok = failure.is_none_or(|f| {
            f.code == case["code"].as_i64() && f.subcode == case["subcode"].as_i64()
        });
        if kind != case["outcome"].as_str().unwrap() || !codes_ok {
            failures.push(format!("{name}: {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn sample_event(id: &str) -> ServerEvent {
    serde_json::from_value(serde_json::json!({
        "event_name": "Lead", "event_time": 1_790_000_000u64, "event_id": id,
        "action_source": "system_generated",
        "user_data": { "external_id": ["2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"] }
    }))
    .unwrap()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn request_body_shape() {
    let events = vec![sample_event("a"), sample_event("b")];
    let body: Value =
        serde_json::from_str(&capi::request_body(&events, Some("TOKEN"), Some("TEST1")).unwrap())
            .unwrap();
    assert_eq!(body["access_token"], "TOKEN");
    assert_eq!(body["test_event_code"], "TEST1");
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    let ev = &body["data"][0];
    assert_eq!(ev["event_time"], 1_790_000_000u64);
    assert!(ev["user_data"]["external_id"].is_array());
    assert!(ev.get("custom_data").is_none() && ev.get("event_source_url").is_none());

    let dry: Value =
        serde_json::from_str(&capi::request_body(&events, None, None).unwrap()).unwrap();
    assert!(dry.get("access_token").is_none() && dry.get("test_event_code").is_none());

    assert_eq!(
        capi::events_path("v26.0", "1234567890"),
        "/v26.0/1234567890/events"
    );
    assert_eq!(
        capi::request_body(&[], None, None).unwrap_err().code(),
        "batch_empty"
    );
    let many = vec![sample_event("x"); capi::MAX_BATCH + 1];
    assert_eq!(
        capi::request_body(&many, None, None).unwrap_err().code(),
        "batch_too_large"
    );
    assert!(capi::request_body(&many[..capi::MAX_BATCH], None, None).is_ok());
}

const CONFIG: &str = include_str!("../../../tests/vectors/config.json");

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn config_vectors() {
    use capiflare_core::config::Config;
    let file: Value = serde_json::from_str(CONFIG).unwrap();
    let mut failures = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let settings = case["settings"].as_object().unwrap();
        let got =
            Config::from_settings(|k| settings.get(k).and_then(Value::as_str).map(str::to_owned));
        match (got, case.get("ok"), str_of(case, "error")) {
            (Ok(c), Some(want), None) => {
                let seen = serde_json::json!({
                    "pixels": c.pixels.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
                    "graph_url": c.graph_url, "api_version": c.api_version,
                    "route_prefix": c.route_prefix, "consent_policy": c.consent_policy,
                    "retention_days": c.retention_days, "allowed_origins": c.allowed_origins,
                });
                for (k, v) in want.as_object().unwrap() {
                    if &seen[k] != v {
                        failures.push(format!("{name}: {k} = {}", seen[k]));
                    }
                }
            }
            (Err(e), None, Some(setting)) if e.setting == setting => {
                assert!(!e.to_string().is_empty());
            }
            (got, _, _) => failures.push(format!("{name}: {:?}", got.map(|_| ()))),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn ingest_routes_events_to_the_pixels_that_want_them() {
    use capiflare_core::config::Config;
    use capiflare_core::ingest::{self, Plan, Request};
    let config = |pixels: &str| {
        let pixels = pixels.to_owned();
        Config::from_settings(move |k| (k == "PIXELS").then(|| pixels.clone())).unwrap()
    };
    let body = r#"{"events":[{"event_name":"Lead","user":{"external_id":"u1"}},
                              {"event_name":"Purchase","user":{"external_id":"u2"}}]}"#;
    let request = Request {
        body,
        now_secs: 1_790_000_000,
        seed: [7; 16],
        browser: false,
        gpc: false,
        client_ip: None,
        user_agent: None,
        country: None,
        region: None,
    };
    let two = config(r#"[{"id":"111111","events":["Purchase"]},{"id":"222222"}]"#);
    let Ok(Plan::Store {
        rows,
        rejected,
        event_ids,
        ..
    }) = ingest::plan(&two, &request)
    else {
        panic!("stored");
    };
    let routed: Vec<(usize, &str)> = rows
        .iter()
        .map(|r| (r.index, r.pixel_id.as_str()))
        .collect();
    assert_eq!(routed, [(0, "222222"), (1, "111111"), (1, "222222")]);
    assert!(rejected.is_empty());
    assert_eq!(event_ids.len(), 2);
    assert_ne!(event_ids[0], event_ids[1], "fresh ids differ per event");

    let purchases_only = config(r#"[{"id":"111111","events":["Purchase"]}]"#);
    let Ok(Plan::Store { rows, rejected, .. }) = ingest::plan(&purchases_only, &request) else {
        panic!("stored");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rejected, [(0, "no_pixel_for_event")]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn what_the_browser_module_is_told() {
    use capiflare_core::config::Config;
    let pixels = r#"[{"id":"111111","events":["Purchase"]},{"id":"222222","name":"main"},{"id":"333333","events":["Lead","Purchase"]}]"#;
    let config = Config::from_settings(|k| (k == "PIXELS").then(|| pixels.to_owned())).unwrap();
    let public = serde_json::to_value(config.public()).unwrap();
    assert_eq!(
        public["pixels"],
        serde_json::json!(["111111", "222222", "333333"])
    );
    // Each pixel that does not receive every event, with the names it does; a name for the logs
    // stays on the edge.
    assert_eq!(
        public["pixel_events"],
        serde_json::json!({"111111": ["Purchase"], "333333": ["Lead", "Purchase"]})
    );
    assert!(!public.to_string().contains("main"));
    let one =
        Config::from_settings(|k| (k == "META_PIXEL_ID").then(|| "111111".to_owned())).unwrap();
    let public = serde_json::to_value(one.public()).unwrap();
    assert_eq!(
        public.get("pixel_events"),
        None,
        "left out when every pixel receives every event"
    );
    assert_eq!(public.get("cookie_domain"), None, "left out when not set");
    let domain = Config::from_settings(|k| match k {
        "META_PIXEL_ID" => Some("111111".to_owned()),
        "COOKIE_DOMAIN" => Some(".Example.com".to_owned()),
        _ => None,
    })
    .unwrap();
    assert_eq!(
        domain.public().cookie_domain.as_deref(),
        Some("example.com")
    );
}
