//! Diesel's view of the tables in `migrations/`. Both backends share it; only types a
//! `MultiConnection` maps are used (Text ids, BigInt minor units, naive UTC timestamps).

diesel::table! {
    api_keys (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        order_number -> Text,
        currency -> Text,
        placed_at -> Timestamp,
        customer_email -> Text,
        customer_name -> Text,
        customer_locale -> Text,
        ship_name -> Text,
        ship_line1 -> Text,
        ship_line2 -> Nullable<Text>,
        ship_city -> Text,
        ship_region -> Nullable<Text>,
        ship_postal_code -> Text,
        ship_country -> Text,
        ship_lat -> Nullable<Double>,
        ship_lon -> Nullable<Double>,
        total_minor -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ship_phone -> Nullable<Text>,
    }
}

diesel::table! {
    order_lines (order_id, line_id) {
        order_id -> Text,
        line_id -> Text,
        sku -> Text,
        title -> Text,
        category -> Text,
        quantity -> BigInt,
        unit_price_minor -> BigInt,
        tax_minor -> BigInt,
        delivered_at -> Nullable<Timestamp>,
        weight_grams -> Nullable<BigInt>,
        held_quantity -> BigInt,
        variant_of -> Nullable<Text>,
        options -> Nullable<Text>,
    }
}

diesel::table! {
    repairs (id) {
        id -> Text,
        rma_id -> Text,
        order_id -> Text,
        status -> Text,
        lines -> Text,
        history -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        shipment_id -> Nullable<Text>,
    }
}

diesel::table! {
    fulfilments (id) {
        id -> Text,
        rma_id -> Text,
        order_id -> Text,
        status -> Text,
        lines -> Text,
        created_at -> Timestamp,
        shipped_at -> Nullable<Timestamp>,
        shipment_id -> Nullable<Text>,
    }
}

diesel::table! {
    product_groups (id) {
        id -> Text,
        currency -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_variants (sku) {
        sku -> Text,
        product_group -> Text,
        position -> Integer,
        title -> Text,
        options -> Text,
        price_minor -> BigInt,
        available -> BigInt,
    }
}

diesel::table! {
    shipments (id) {
        id -> Text,
        order_id -> Text,
        carrier -> Text,
        tracking_number -> Text,
        service -> Nullable<Text>,
        shipped_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        status -> Text,
        created_at -> Timestamp,
        line_ids -> Nullable<Text>,
    }
}

diesel::table! {
    rmas (id) {
        id -> Text,
        number -> Text,
        order_id -> Text,
        status -> Text,
        resolution -> Text,
        label_payer -> Text,
        currency -> Text,
        estimated_refund_minor -> BigInt,
        customer_email -> Text,
        comment -> Nullable<Text>,
        decision -> Text,
        return_to -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rma_lines (rma_id, line_id) {
        rma_id -> Text,
        line_id -> Text,
        quantity -> BigInt,
        reason -> Text,
        refund_minor -> BigInt,
        exchange_sku -> Nullable<Text>,
    }
}

diesel::table! {
    rma_events (id) {
        id -> Text,
        rma_id -> Text,
        at -> Timestamp,
        actor -> Text,
        event -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (principal, idempotency_key) {
        principal -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    return_labels (rma_id) {
        rma_id -> Text,
        carrier -> Text,
        tracking_number -> Text,
        carrier_reference -> Text,
        service -> Text,
        cost_minor -> BigInt,
        currency -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        voided_at -> Nullable<Timestamp>,
        carrier_cost_minor -> BigInt,
        carrier_currency -> Text,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    label_documents (rma_id, format) {
        rma_id -> Text,
        format -> Text,
        content -> Binary,
    }
}

diesel::table! {
    parcels (id) {
        id -> Text,
        direction -> Text,
        carrier -> Text,
        tracking_number -> Text,
        shipment_id -> Nullable<Text>,
        rma_id -> Nullable<Text>,
        status -> Text,
        exception -> Nullable<Text>,
        international -> Bool,
        destination_lat -> Nullable<Double>,
        destination_lon -> Nullable<Double>,
        shipped_at -> Timestamp,
        last_event_at -> Nullable<Timestamp>,
        estimated_delivery -> Nullable<Timestamp>,
        promised_delivery -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        next_poll_at -> Nullable<Timestamp>,
        last_polled_at -> Nullable<Timestamp>,
        polls -> BigInt,
        failures -> Integer,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tracking_events (id) {
        id -> Text,
        parcel_id -> Text,
        at -> Timestamp,
        raw_code -> Text,
        raw_time -> Text,
        description -> Text,
        status -> Text,
        exception -> Nullable<Text>,
        city -> Nullable<Text>,
        region -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country -> Nullable<Text>,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        source -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    incidents (id) {
        id -> Text,
        parcel_id -> Text,
        kind -> Text,
        detail -> Text,
        opened_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        action -> Nullable<Text>,
        amount_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        claim_reference -> Nullable<Text>,
        replacement_shipment_id -> Nullable<Text>,
        refund_trigger_id -> Nullable<Text>,
        note -> Nullable<Text>,
        resolved_by -> Nullable<Text>,
    }
}

diesel::table! {
    incident_events (id) {
        id -> Text,
        incident_id -> Text,
        at -> Timestamp,
        actor -> Text,
        event -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    received_parcels (id) {
        id -> Text,
        barcode -> Text,
        scanned -> Text,
        tracking_carrier -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        station -> Text,
        warehouse -> Nullable<Text>,
        rma_id -> Nullable<Text>,
        received_at -> Timestamp,
        received_by -> Text,
        linked_at -> Nullable<Timestamp>,
        linked_by -> Nullable<Text>,
    }
}

diesel::table! {
    inspections (rma_id) {
        rma_id -> Text,
        outcome -> Text,
        lines -> Text,
        calculation -> Text,
        inspected_by -> Text,
        inspected_at -> Timestamp,
    }
}

diesel::table! {
    refund_triggers (id) {
        id -> Text,
        rma_id -> Nullable<Text>,
        incident_id -> Nullable<Text>,
        order_id -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        method -> Text,
        status -> Text,
        calculation -> Text,
        created_at -> Timestamp,
        emailed_at -> Nullable<Timestamp>,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        bonus_minor -> BigInt,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        subject_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_users (id) {
        id -> Text,
        username -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(staff_sessions -> staff_users (user_id));
diesel::table! {
    request_rates (key_hash) {
        key_hash -> Text,
        next_at_ms -> BigInt,
    }
}

diesel::table! {
    throttles (key_hash) {
        key_hash -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rma_photos (id) {
        id -> Text,
        rma_id -> Text,
        taken_by -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        content -> Binary,
        uploaded_at -> Timestamp,
    }
}

diesel::joinable!(rma_photos -> rmas (rma_id));
diesel::joinable!(inspections -> rmas (rma_id));
diesel::joinable!(refund_triggers -> orders (order_id));
diesel::joinable!(received_parcels -> rmas (rma_id));
diesel::joinable!(incident_events -> incidents (incident_id));
diesel::joinable!(tracking_events -> parcels (parcel_id));
diesel::joinable!(incidents -> parcels (parcel_id));
diesel::joinable!(parcels -> rmas (rma_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(return_labels -> rmas (rma_id));
diesel::joinable!(label_documents -> return_labels (rma_id));
diesel::joinable!(shipments -> orders (order_id));
diesel::joinable!(rmas -> orders (order_id));
diesel::joinable!(rma_lines -> rmas (rma_id));
diesel::joinable!(rma_events -> rmas (rma_id));
diesel::joinable!(catalog_variants -> product_groups (product_group));
diesel::joinable!(fulfilments -> rmas (rma_id));
diesel::joinable!(fulfilments -> orders (order_id));
diesel::joinable!(fulfilments -> shipments (shipment_id));
diesel::joinable!(repairs -> rmas (rma_id));
diesel::joinable!(repairs -> orders (order_id));
diesel::joinable!(repairs -> shipments (shipment_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    catalog_variants,
    fulfilments,
    repairs,
    product_groups,
    orders,
    order_lines,
    shipments,
    rmas,
    rma_lines,
    rma_events,
    idempotency_keys,
    return_labels,
    label_documents,
    parcels,
    tracking_events,
    incidents,
    incident_events,
    received_parcels,
    inspections,
    refund_triggers,
    outbox,
    staff_users,
    staff_sessions,
    rma_photos,
    request_rates,
    throttles,
);
