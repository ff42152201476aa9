//! The OpenAPI 3.1 document, written by hand as data next to the routes it describes.
//! A unit test checks it lists exactly the routes in [`super::endpoints`], and the
//! integration tests check the documented statuses against real answers.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": schema_ref("Problem")}}
    })
}

fn ok(description: &str, schema: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref(schema)}}})
}

fn body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema_ref(schema)}}})
}

/// Standard problem answers by status.
fn problems(statuses: &[u16]) -> Vec<(String, Value)> {
    statuses
        .iter()
        .map(|s| {
            let text = match s {
                400 => "Invalid request: malformed JSON, wrong types or invalid fields (see `errors`)",
                401 => "Missing or invalid bearer token",
                403 => "The token's role or order does not allow this",
                404 => "Not found",
                409 => "Conflicts with the current state (illegal status change, concurrent update)",
                413 => "Body larger than the configured limit (1 MiB by default)",
                422 => "Idempotency-Key reused with another body, or the return policy refuses (see `decision`)",
                429 => "Too many look-ups; see Retry-After",
                500 => "Unexpected failure (logged with the request id)",
                503 => "Database unavailable",
                _ => "Error",
            };
            (s.to_string(), problem(text))
        })
        .collect()
}

const WRITE_ERRORS: &[u16] = &[400, 401, 403, 404, 409, 413, 422, 500, 503];
const READ_ERRORS: &[u16] = &[400, 401, 403, 404, 500, 503];

struct Op {
    summary: &'static str,
    roles: &'static str,
    params: Vec<Value>,
    body: Option<&'static str>,
    responses: Vec<(String, Value)>,
    idempotent: bool,
    public: bool,
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn operation(op: Op) -> Value {
    let mut params = op.params;
    if op.idempotent {
        params.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Replays the first response for the same key and body; another body with the same key is a 422.",
            "schema": {"type": "string", "maxLength": 255}
        }));
    }
    let mut responses = Map::new();
    for (status, value) in op.responses {
        responses.insert(status, value);
    }
    let mut value = json!({
        "summary": op.summary,
        "description": format!("Roles: {}.", op.roles),
        "parameters": params,
        "responses": responses,
    });
    if let Some(schema) = op.body {
        value["requestBody"] = body(schema);
    }
    if op.public {
        value["security"] = json!([]);
    }
    value
}

fn with(mut main: Vec<(String, Value)>, errors: &[u16]) -> Vec<(String, Value)> {
    main.extend(problems(errors));
    main
}

/// The upload's body is the image itself, not JSON.
fn photo_upload() -> Value {
    let mut op = operation(Op {
        summary: "Add an evidence photo (damage claims need one). The body is the image itself: JPEG, PNG or HEIC, known by its bytes whatever Content-Type says, at most 5 MB; an RMA keeps at most 10 photos. A closed RMA takes none (409).",
        roles: "customer (own order), integration, warehouse",
        params: vec![number_param()],
        body: None,
        responses: with(vec![("201".into(), ok("The stored photo", "Photo"))], &[400, 401, 403, 404, 409, 413, 500, 503]),
        idempotent: false, public: false,
    });
    op["requestBody"] =
        json!({"required": true, "content": {"image/jpeg": {}, "image/png": {}, "image/heic": {}}});
    op
}

fn number_param() -> Value {
    path_param(
        "number",
        "RMA number such as R-7KQ2-M9XD (case and dashes optional)",
    )
}

fn order_param() -> Value {
    path_param("order_number", "The shop's order number")
}

fn transition(summary: &'static str, roles: &'static str) -> Value {
    operation(Op {
        summary,
        roles,
        params: vec![number_param()],
        body: Some("TransitionInput"),
        responses: with(
            vec![("200".into(), ok("The RMA after the change", "Rma"))],
            WRITE_ERRORS,
        ),
        idempotent: true,
        public: false,
    })
}

/// The document, as served at /api/v1/openapi.json.
pub fn document() -> Value {
    let paths = json!({
        "/api/v1/orders": {"post": operation(Op {
            summary: "Create or update an order",
            roles: "integration",
            params: vec![],
            body: Some("OrderInput"),
            responses: with(vec![
                ("201".into(), ok("Order created", "Order")),
                ("200".into(), ok("Order updated", "Order")),
            ], WRITE_ERRORS),
            idempotent: true, public: false,
        })},
        "/api/v1/orders/{order_number}": {"get": operation(Op {
            summary: "An order with each line's returnable quantity",
            roles: "integration, customer (own order)",
            params: vec![order_param()],
            body: None,
            responses: with(vec![("200".into(), ok("The order", "Order"))], READ_ERRORS),
            idempotent: false, public: false,
        })},
        "/api/v1/orders/{order_number}/shipments": {"post": operation(Op {
            summary: "Register an outbound parcel",
            roles: "integration",
            params: vec![order_param()],
            body: Some("ShipmentInput"),
            responses: with(vec![
                ("201".into(), ok("Parcel registered", "Shipment")),
                ("200".into(), ok("Parcel was already registered on this order", "Shipment")),
            ], WRITE_ERRORS),
            idempotent: true, public: false,
        })},
        "/api/v1/returns/lookup": {"post": operation(Op {
            summary: "Customer look-up: order number plus email or postcode gives an order-scoped token (a postcode's masks personal data); failures back off per order and address, per address and per order",
            roles: "public",
            params: vec![],
            body: Some("LookupInput"),
            responses: with(vec![("200".into(), ok("Token and order", "LookupResult"))], &[400, 404, 413, 429, 500, 503]),
            idempotent: false, public: true,
        })},
        "/api/v1/rmas/quote": {"post": operation(Op {
            summary: "The policy decision for a return, creating nothing",
            roles: "integration, customer (own order)",
            params: vec![],
            body: Some("ReturnInput"),
            responses: with(vec![("200".into(), ok("The decision and the warehouse", "Quote"))], &[400, 401, 403, 404, 413, 500, 503]),
            idempotent: false, public: false,
        })},
        "/api/v1/rmas": {
            "post": operation(Op {
                summary: "Create an RMA (authorized, or requested when manual review applies)",
                roles: "integration, customer (own order)",
                params: vec![],
                body: Some("ReturnInput"),
                responses: with(vec![("201".into(), ok("The RMA", "Rma"))], WRITE_ERRORS),
                idempotent: true, public: false,
            }),
            "get": operation(Op {
                summary: "List RMAs, newest first",
                roles: "integration, warehouse, finance",
                params: vec![
                    query_param("status", "Only RMAs in this status", schema_ref("RmaStatus")),
                    query_param("order_number", "Only this order's RMAs", json!({"type": "string"})),
                    query_param("limit", "Page size, 1 to 200 (default 50)", json!({"type": "integer", "minimum": 1, "maximum": 200})),
                    query_param("cursor", "`next_cursor` of the previous page", json!({"type": "string"})),
                ],
                body: None,
                responses: with(vec![("200".into(), ok("One page", "RmaList"))], &[400, 401, 403, 500, 503]),
                idempotent: false, public: false,
            }),
        },
        "/api/v1/rmas/{number}": {"get": operation(Op {
            summary: "One RMA with lines, label, parcels and timeline",
            roles: "customer (own order), integration, warehouse, finance",
            params: vec![number_param()],
            body: None,
            responses: with(vec![("200".into(), ok("The RMA", "Rma"))], READ_ERRORS),
            idempotent: false, public: false,
        })},
        "/api/v1/rmas/{number}/events": {"get": operation(Op {
            summary: "The RMA's audit trail",
            roles: "customer (own order), integration, warehouse, finance",
            params: vec![number_param()],
            body: None,
            responses: with(vec![("200".into(), ok("Events, oldest first", "EventList"))], READ_ERRORS),
            idempotent: false, public: false,
        })},
        "/api/v1/rmas/{number}/authorize": {"post": transition("Authorize a requested RMA", "admin")},
        "/api/v1/rmas/{number}/reject": {"post": transition("Reject a requested RMA", "admin")},
        "/api/v1/rmas/{number}/cancel": {"post": transition("Cancel an RMA before its parcel is on the way", "admin, customer (own order)")},
        "/api/v1/rmas/{number}/label": {
            "post": operation(Op {
                summary: "Issue the return label (only for an authorized RMA); a second call returns the same label",
                roles: "integration, customer (own order)",
                params: vec![number_param()],
                body: Some("LabelInput"),
                responses: with(vec![
                    ("201".into(), ok("Label bought", "Label")),
                    ("200".into(), ok("The label issued earlier", "Label")),
                    ("502".into(), problem("The carrier failed; the detail names it and gives its message. Nothing was stored.")),
                ], &[400, 401, 403, 404, 409, 413, 500, 503]),
                idempotent: false, public: false,
            }),
            "get": operation(Op {
                summary: "The label document",
                roles: "customer (own order), integration, warehouse, finance",
                params: vec![number_param(), query_param("format", "pdf (4x6, default), pdf_a4 or zpl", string_enum(&["pdf", "pdf_a4", "zpl"]))],
                body: None,
                responses: with(vec![("200".into(), json!({"description": "The label", "content": {"application/pdf": {}, "application/x-zpl": {}}}))], READ_ERRORS),
                idempotent: false, public: false,
            }),
        },
        "/api/v1/rmas/{number}/photos": {"post": photo_upload()},
        "/api/v1/rmas/{number}/photos/{id}": {"get": operation(Op {
            summary: "One evidence photo's bytes, with its checked content type",
            roles: "customer (own order), integration, warehouse, finance",
            params: vec![number_param(), path_param("id", "The photo's id from the RMA's photos")],
            body: None,
            responses: with(vec![("200".into(), json!({"description": "The photo", "content": {"image/jpeg": {}, "image/png": {}, "image/heic": {}}}))], READ_ERRORS),
            idempotent: false, public: false,
        })},
        "/api/v1/rmas/{number}/inspection": {"post": operation(Op {
            summary: "Inspect a received return: per line quantity received, condition, disposition, notes. Outcome passed, partial or failed; a refundable outcome creates the refund trigger and its finance email in the same transaction. Inspecting twice is a 409.",
            roles: "warehouse",
            params: vec![number_param()],
            body: Some("InspectionInput"),
            responses: with(vec![("200".into(), ok("The outcome, the calculation and the refund trigger", "InspectionResult"))], WRITE_ERRORS),
            idempotent: true, public: false,
        })},
        "/api/v1/refunds": {"get": operation(Op {
            summary: "Refund triggers, newest first (at most 500), filtered by status, currency, creation day and order or RMA number",
            roles: "finance",
            params: vec![
                query_param("status", "pending, emailed, acknowledged or failed", string_enum(&crate::db::refunds::TRIGGER_STATUSES)),
                query_param("currency", "ISO 4217 code", json!({"type": "string"})),
                query_param("from", "First creation day (UTC)", json!({"type": "string", "format": "date"})),
                query_param("to", "Last creation day (UTC), included", json!({"type": "string", "format": "date"})),
                query_param("q", "An order number or RMA number", json!({"type": "string"})),
            ],
            body: None,
            responses: with(vec![("200".into(), ok("Refund triggers", "RefundList"))], &[400, 401, 403, 500, 503]),
            idempotent: false, public: false,
        })},
        "/api/v1/refunds/{id}/acknowledge": {"post": operation(Op {
            summary: "Record that finance has taken the refund over (who and when); a second time is a 409",
            roles: "finance",
            params: vec![path_param("id", "The refund trigger id (also its idempotency key)")],
            body: None,
            responses: with(vec![("200".into(), ok("The acknowledged trigger", "RefundTrigger"))], WRITE_ERRORS),
            idempotent: true, public: false,
        })},
        "/api/v1/scans": {"post": operation(Op {
            summary: "A box scanned at a warehouse bench: matched to its RMA (by RMA number or return label tracking number) and received, already received, or stored unmatched",
            roles: "warehouse",
            params: vec![],
            body: Some("ScanInput"),
            responses: with(vec![("200".into(), ok("What the scan was", "ScanResult"))], &[400, 401, 403, 409, 413, 422, 500, 503]),
            idempotent: true, public: false,
        })},
        "/api/v1/parcels": {"get": operation(Op {
            summary: "Boxes scanned at the warehouse, newest first; unmatched=true for those not linked to an RMA",
            roles: "warehouse",
            params: vec![query_param("unmatched", "Only boxes not linked to an RMA", json!({"type": "boolean"}))],
            body: None,
            responses: with(vec![("200".into(), ok("Boxes", "ReceivedParcelList"))], &[400, 401, 403, 500, 503]),
            idempotent: false, public: false,
        })},
        "/api/v1/parcels/{id}/link": {"post": operation(Op {
            summary: "Link an unmatched box to its RMA, which is then received",
            roles: "warehouse",
            params: vec![path_param("id", "The box's parcel_id")],
            body: Some("LinkInput"),
            responses: with(vec![("200".into(), ok("The linked box", "ReceivedParcel"))], WRITE_ERRORS),
            idempotent: true, public: false,
        })},
        "/api/v1/incidents": {"get": operation(Op {
            summary: "Outbound parcel incidents (lost, damaged, delayed, returned to sender, misdelivered) and unscanned-return alerts, newest first",
            roles: "admin",
            params: vec![
                query_param("open", "true: unresolved only; false: resolved only", json!({"type": "boolean"})),
                query_param("kind", "Only this kind", schema_ref("IncidentKind")),
            ],
            body: None,
            responses: with(vec![("200".into(), ok("Incidents", "IncidentList"))], &[400, 401, 403, 500, 503]),
            idempotent: false, public: false,
        })},
        "/api/v1/incidents/{id}/resolve": {"post": operation(Op {
            summary: "Resolve an outbound incident: reship (optionally with the replacement parcel), refund, partial_refund (amount) or claim (claim_reference); with a note",
            roles: "admin",
            params: vec![path_param("id", "The incident id")],
            body: Some("IncidentResolveInput"),
            responses: with(vec![("200".into(), ok("The resolved incident", "Incident"))], WRITE_ERRORS),
            idempotent: true, public: false,
        })},
        "/api/v1/webhooks/{carrier}": {"post": operation(Op {
            summary: "Tracking pushed by a carrier; its signature is checked before anything is read (e.g. EasyPost: X-Hmac-Signature)",
            roles: "the carrier's signature (no bearer token)",
            params: vec![path_param("carrier", "The carrier's code, e.g. easypost")],
            body: None,
            responses: with(vec![("200".into(), ok("What the delivery changed; unknown numbers are kept as unlinked parcels", "WebhookResult"))], &[400, 401, 404, 413, 500, 503]),
            idempotent: false, public: true,
        })},
        "/api/v1/openapi.json": {"get": operation(Op {
            summary: "This document",
            roles: "public",
            params: vec![], body: None,
            responses: vec![("200".into(), json!({"description": "OpenAPI 3.1 document", "content": {"application/json": {}}}))],
            idempotent: false, public: true,
        })},
        "/healthz": {"get": operation(Op {
            summary: "Liveness",
            roles: "public",
            params: vec![], body: None,
            responses: vec![("200".into(), json!({"description": "The process is up", "content": {"application/json": {}}}))],
            idempotent: false, public: true,
        })},
        "/readyz": {"get": operation(Op {
            summary: "Readiness: the database answers",
            roles: "public",
            params: vec![], body: None,
            responses: vec![
                ("200".into(), json!({"description": "Ready", "content": {"application/json": {}}})),
                ("503".into(), problem("The database is not reachable")),
            ],
            idempotent: false, public: true,
        })},
        "/metrics": {"get": operation(Op {
            summary: "Prometheus metrics: requests by route and status, latencies, RMAs by status. With metrics.token set, send it as the Bearer token; without, only callers on this machine may read them",
            roles: "public",
            params: vec![], body: None,
            responses: with(vec![("200".into(), json!({"description": "Prometheus text format", "content": {"text/plain": {}}}))], &[401, 403, 500, 503]),
            idempotent: false, public: true,
        })},
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Backhaul API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Returns logistics and RMA tracking. Money is a decimal string with exactly the currency's decimals; times are RFC 3339 UTC; errors are application/problem+json."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "API key (bh_...) or customer token (c....) from /returns/lookup"}},
            "schemas": schemas(),
        }
    })
}

fn string_enum(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

fn money() -> Value {
    json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "Decimal with exactly the currency's decimals, e.g. 19.99 EUR, 1999 JPY, 1.250 KWD"})
}

fn schemas() -> Value {
    use crate::domain::{LabelPayer, Resolution, ReturnReason, RmaStatus};
    let names = |all: &[&str]| string_enum(all);
    let statuses: Vec<&str> = RmaStatus::ALL.iter().map(|s| s.as_str()).collect();
    let reasons: Vec<&str> = ReturnReason::ALL.iter().map(|s| s.as_str()).collect();
    let resolutions: Vec<&str> = Resolution::ALL.iter().map(|s| s.as_str()).collect();
    let payers: Vec<&str> = LabelPayer::ALL.iter().map(|s| s.as_str()).collect();
    let time = json!({"type": "string", "format": "date-time"});
    let text = json!({"type": "string"});
    let nullable_text = json!({"type": ["string", "null"]});
    let nullable_time = json!({"type": ["string", "null"], "format": "date-time"});
    let tracking_statuses: Vec<&str> = backhaul_carriers::TrackingStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let incident_kinds: Vec<&str> = crate::domain::tracking::IncidentKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let incident_actions: Vec<&str> = crate::domain::tracking::IncidentAction::ALL
        .iter()
        .map(|a| a.as_str())
        .collect();
    let parcel = json!({"type": "object", "properties": {
        "id": text, "direction": string_enum(&["inbound", "outbound", "unlinked"]), "carrier": text,
        "tracking_number": text, "status": string_enum(&tracking_statuses), "exception": nullable_text,
        "last_event_at": nullable_time, "estimated_delivery": nullable_time, "delivered_at": nullable_time,
        "next_poll_at": nullable_time,
        "events": {"type": "array", "items": {"type": "object", "properties": {
            "at": time, "status": text, "exception": nullable_text, "description": text, "raw_code": text,
            "city": nullable_text, "country": nullable_text}}},
    }});
    json!({
        "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
            "type": text, "title": text, "status": {"type": "integer"}, "detail": text,
            "errors": {"type": "array", "items": {"type": "object", "properties": {"field": text, "message": text}}},
            "decision": schema_ref("Decision"),
        }},
        "RmaStatus": names(&statuses),
        "IncidentKind": string_enum(&incident_kinds),
        "InspectionInput": {"type": "object", "additionalProperties": false, "required": ["lines"], "properties": {
            "lines": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                "required": ["line_id", "quantity_received", "condition", "disposition"], "properties": {
                "line_id": text, "quantity_received": {"type": "integer", "minimum": 0},
                "condition": string_enum(&["new", "like_new", "used", "damaged", "missing", "wrong_item"]),
                "disposition": string_enum(&["restock", "refurbish", "liquidate", "scrap", "return_to_customer"]),
                "notes": text}}},
        }},
        "InspectionResult": {"type": "object", "properties": {
            "rma": text, "outcome": string_enum(&["passed", "partial", "failed"]),
            "refund": {"type": ["object", "null"], "properties": {"id": text, "amount": money(), "currency": text, "method": string_enum(&["original_payment", "store_credit"]), "status": text}},
            "replacement": {"type": ["object", "null"], "description": "An exchange: what to ship instead of a refund"},
            "calculation": {"type": "object", "description": "Per line: accepted quantity, item amount, tax share, restocking fee, condition deduction, refund; then the label deduction and the total"},
        }},
        "RefundTrigger": {"type": "object", "properties": {
            "id": text, "idempotency_key": text, "amount": money(), "currency": text,
            "method": string_enum(&["original_payment", "store_credit"]),
            "status": string_enum(&crate::db::refunds::TRIGGER_STATUSES),
            "order_number": text, "rma_number": nullable_text, "incident_id": nullable_text,
            "calculation": {"type": "object"}, "created_at": time, "emailed_at": nullable_time,
            "acknowledged_at": nullable_time, "acknowledged_by": nullable_text,
        }},
        "RefundList": {"type": "object", "properties": {"items": {"type": "array", "items": schema_ref("RefundTrigger")}}},
        "ScanInput": {"type": "object", "additionalProperties": false, "required": ["barcode", "station"], "properties": {
            "barcode": {"type": "string", "description": "What the scanner typed: RMA number or tracking number, noise (AIM prefix, FNC1, CR/LF) allowed"},
            "station": {"type": "string", "description": "The bench, e.g. DE-BER/bench-2 (a warehouse code before / or : names the warehouse)"},
            "warehouse": {"type": "string", "description": "The warehouse code, when the station does not start with it"},
        }},
        "ScanResult": {"type": "object", "properties": {
            "result": string_enum(&["matched", "already_received", "unmatched"]), "parcel_id": text,
            "rma": {"type": ["object", "null"]}, "reason": nullable_text,
            "read_as": {"type": "object", "properties": {"kind": string_enum(&["rma", "tracking_number", "unknown"]), "carrier": text, "number": text, "text": text}},
            "station": text, "warehouse": nullable_text, "expected_warehouse": nullable_text, "wrong_warehouse": {"type": "boolean"},
        }},
        "ReceivedParcel": {"type": "object", "properties": {
            "id": text, "barcode": text, "scanned": text, "tracking_carrier": nullable_text, "tracking_number": nullable_text,
            "station": text, "warehouse": nullable_text, "received_at": time, "received_by": text,
            "rma_number": nullable_text, "linked_at": nullable_time, "linked_by": nullable_text,
        }},
        "ReceivedParcelList": {"type": "object", "properties": {"items": {"type": "array", "items": schema_ref("ReceivedParcel")}}},
        "LinkInput": {"type": "object", "additionalProperties": false, "required": ["rma"], "properties": {"rma": {"type": "string", "description": "RMA number"}}},
        "Incident": {"type": "object", "properties": {
            "id": text, "kind": schema_ref("IncidentKind"), "detail": text,
            "status": string_enum(&["open", "resolved"]), "opened_at": time,
            "resolution": {"type": ["object", "null"], "properties": {
                "action": string_enum(&incident_actions), "amount": {"type": ["string", "null"]},
                "currency": nullable_text, "claim_reference": nullable_text,
                "replacement_shipment_id": nullable_text, "note": text, "resolved_by": text, "resolved_at": time}},
            "parcel": parcel.clone(), "order_number": nullable_text, "rma_number": nullable_text,
        }},
        "IncidentList": {"type": "object", "properties": {"items": {"type": "array", "items": schema_ref("Incident")}}},
        "IncidentResolveInput": {"type": "object", "additionalProperties": false, "required": ["action", "note"], "properties": {
            "action": string_enum(&incident_actions), "note": text,
            "amount": {"type": "string", "description": "partial_refund: the amount in the order's currency, at most the parcel's value"},
            "claim_reference": {"type": "string", "description": "claim: the carrier's claim reference"},
            "replacement": schema_ref("ShipmentInput"),
        }},
        "WebhookResult": {"type": "object", "properties": {
            "accepted": {"type": "integer"}, "new_events": {"type": "integer"},
            "unknown": {"type": "array", "items": text}}},
        "ReturnReason": names(&reasons),
        "Resolution": names(&resolutions),
        "Address": {"type": "object", "required": ["name", "line1", "city", "postal_code", "country"], "properties": {
            "name": text, "line1": text, "line2": nullable_text, "city": text, "region": nullable_text,
            "postal_code": text, "country": {"type": "string", "description": "ISO 3166 alpha-2"},
            "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
        }},
        "OrderInput": {"type": "object", "additionalProperties": false,
            "required": ["order_number", "currency", "placed_at", "customer", "ship_to", "lines"], "properties": {
            "order_number": text, "currency": {"type": "string", "description": "ISO 4217"}, "placed_at": time,
            "customer": {"type": "object", "required": ["email", "name"], "properties": {"email": text, "name": text, "locale": text}},
            "ship_to": schema_ref("Address"),
            "lines": {"type": "array", "minItems": 1, "items": {"type": "object",
                "required": ["line_id", "sku", "title", "category", "quantity", "unit_price", "tax"], "properties": {
                "line_id": text, "sku": text, "title": text, "category": text,
                "quantity": {"type": "integer", "minimum": 1}, "unit_price": money(), "tax": money(),
            }}},
        }},
        "Order": {"type": "object", "properties": {
            "order_number": text, "currency": text, "placed_at": time, "total": money(),
            "customer": {"type": "object", "properties": {"email": text, "name": text, "locale": text}},
            "ship_to": schema_ref("Address"),
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "line_id": text, "sku": text, "title": text, "category": text, "quantity": {"type": "integer"},
                "unit_price": money(), "tax": money(), "returnable_quantity": {"type": "integer"},
                "delivered_at": {"type": ["string", "null"], "format": "date-time"},
            }}},
            "shipments": {"type": "array", "items": schema_ref("Shipment")},
            "created_at": time, "updated_at": time,
        }},
        "ShipmentInput": {"type": "object", "additionalProperties": false, "required": ["carrier", "tracking_number", "shipped_at"], "properties": {
            "carrier": text, "tracking_number": text, "service": text, "shipped_at": time,
            "delivered_at": {"type": "string", "format": "date-time", "description": "Set when the parcel is already known delivered; starts the return window"},
            "line_ids": {"type": "array", "items": text, "description": "Lines in this parcel; all when absent"},
            "origin_country": {"type": "string", "description": "ISO 3166 alpha-2 the parcel leaves from; another country than the ship-to makes it international for the lost-parcel rule"},
        }},
        "Shipment": {"type": "object", "properties": {
            "order_number": text, "carrier": text, "tracking_number": text, "service": nullable_text,
            "shipped_at": time, "delivered_at": {"type": ["string", "null"], "format": "date-time"}, "status": text,
        }},
        "LookupInput": {"type": "object", "additionalProperties": false, "required": ["order_number"], "properties": {
            "order_number": text, "email": text, "postal_code": text,
        }, "description": "Give email or postal_code."},
        "LookupResult": {"type": "object", "properties": {
            "token": text, "expires_at": time,
            "access": {"type": "string", "enum": ["order", "order_masked"], "description": "order_masked after a postcode look-up: the customer's email, name, street and coordinates are masked"},
            "order": schema_ref("Order"),
        }},
        "ReturnInput": {"type": "object", "additionalProperties": false, "required": ["order_number", "lines", "resolution"], "properties": {
            "order_number": text,
            "lines": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["line_id", "quantity", "reason"], "properties": {
                "line_id": text, "quantity": {"type": "integer", "minimum": 1}, "reason": schema_ref("ReturnReason"),
            }}},
            "resolution": schema_ref("Resolution"),
            "comment": text,
        }},
        "Decision": {"type": "object", "properties": {
            "outcome": string_enum(&["authorized", "manual_review", "rejected"]),
            "resolution": schema_ref("Resolution"),
            "label": names(&payers),
            "currency": text,
            "estimated_refund": money(), "estimated_label_cost": money(), "label_deduction": money(), "restocking_fee": money(),
            "photos_required": {"type": "boolean"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "line_id": text, "quantity": {"type": "integer"}, "reason": schema_ref("ReturnReason"), "eligible": {"type": "boolean"},
                "window_days": {"type": "integer"}, "window_ends_at": time, "item_amount": money(), "tax_share": money(),
                "restocking_fee": money(), "refund": money(),
            }}},
            "rules": {"type": "array", "items": {"type": "object", "required": ["rule", "effect"], "properties": {
                "rule": text, "line_id": text, "effect": text,
                "params": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "The facts in effect (days, YYYY-MM-DD dates, amounts with currency, reason codes) and a variant where a rule has two wordings, to say it in another language"},
            }}},
        }},
        "Warehouse": {"type": "object", "properties": {
            "code": text, "name": text, "line1": text, "line2": text, "city": text, "region": text,
            "postal_code": text, "country": text, "lat": {"type": "number"}, "lon": {"type": "number"},
            "categories": {"type": "array", "items": text},
        }},
        "Quote": {"type": "object", "properties": {"decision": schema_ref("Decision"), "return_to": schema_ref("Warehouse"), "route": text}},
        "Event": {"type": "object", "properties": {
            "at": time, "event": text, "from": nullable_text, "to": text, "actor": text, "note": nullable_text,
        }},
        "EventList": {"type": "object", "properties": {"items": {"type": "array", "items": schema_ref("Event")}}},
        "Rma": {"type": "object", "properties": {
            "number": text, "status": schema_ref("RmaStatus"), "order_number": text, "resolution": schema_ref("Resolution"),
            "currency": text, "label_payer": names(&payers), "estimated_refund": money(),
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "line_id": text, "sku": text, "title": text, "quantity": {"type": "integer"},
                "reason": schema_ref("ReturnReason"), "estimated_refund": money(),
            }}},
            "decision": schema_ref("Decision"), "return_to": schema_ref("Warehouse"), "comment": nullable_text,
            "label": {"oneOf": [schema_ref("Label"), {"type": "null"}]}, "parcels": {"type": "array", "items": parcel},
            "photos": {"type": "array", "items": schema_ref("Photo"), "description": "Evidence photos, oldest first"},
            "timeline": {"type": "array", "items": schema_ref("Event")},
            "created_at": time, "updated_at": time,
        }},
        "RmaSummary": {"type": "object", "properties": {
            "number": text, "status": schema_ref("RmaStatus"), "order_number": text, "resolution": schema_ref("Resolution"),
            "currency": text, "label_payer": names(&payers), "estimated_refund": money(), "return_to": text,
            "created_at": time, "updated_at": time,
        }},
        "RmaList": {"type": "object", "properties": {
            "items": {"type": "array", "items": schema_ref("RmaSummary")},
            "next_cursor": nullable_text,
        }},
        "LabelInput": {"type": "object", "additionalProperties": false, "properties": {
            "carrier": {"type": "string", "description": "A configured carrier (default: labels.default_carrier, sandbox)"},
            "format": string_enum(&["pdf", "pdf_a4", "zpl"]),
        }, "description": "Optional; an empty body buys a 4x6 PDF label from the default carrier."},
        "Photo": {"type": "object", "required": ["id", "taken_by", "content_type", "size_bytes", "uploaded_at", "href"], "properties": {
            "id": {"type": "string"}, "taken_by": {"type": "string", "description": "customer:<order> or <role>:<user>"},
            "content_type": string_enum(&["image/jpeg", "image/png", "image/heic"]), "size_bytes": {"type": "integer"},
            "uploaded_at": time, "href": {"type": "string", "description": "Where its bytes are"},
        }},
        "Label": {"type": "object", "properties": {
            "carrier": text, "tracking_number": text, "service": text, "format": text,
            "formats": {"type": "array", "items": text},
            "cost": money(), "currency": {"type": "string", "description": "The order's currency"},
            "carrier_cost": money(), "carrier_currency": {"type": "string", "description": "What the carrier billed, in its currency"},
            "label_url": text, "created_at": time, "expires_at": time,
            "voided_at": {"type": ["string", "null"], "format": "date-time"},
        }},
        "TransitionInput": {"type": "object", "additionalProperties": false, "properties": {"note": text},
            "description": "Optional; an empty body is accepted."},
    })
}

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn documents_exactly_the_routes_the_service_serves() {
        let doc = document();
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .expect("operations")
                    .keys()
                    .map(move |m| (m.to_uppercase(), path.clone()))
            })
            .collect();
        let served: BTreeSet<(String, String)> = super::super::endpoints()
            .into_iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(documented, served);
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                doc["components"]["schemas"].get(&name).is_some(),
                "missing schema {name}"
            );
        }
    }
}
