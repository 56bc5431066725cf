"""The Cypher statements the Neo4j store runs, one field per file in `cypher/`.

Loaded once when this module is imported, so a missing file stops the store before it starts.
Fields named `schema_*` are the constraints and indexes, applied in declaration order at start.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import LiteralString

from datora_graph.store.cypher_files import load_statements


@dataclass(frozen=True, slots=True)
class Neo4jStatements:
    # -- schema, applied at start (IF NOT EXISTS) ------------------------------------------
    schema_meta_key: LiteralString
    schema_identifier_key: LiteralString
    schema_identifier_type_value: LiteralString
    schema_identifier_type: LiteralString
    schema_profile_id: LiteralString
    schema_alias_id: LiteralString
    schema_observation_id: LiteralString
    schema_observation_seq: LiteralString
    schema_event_id: LiteralString
    schema_event_key: LiteralString
    schema_rejection_fingerprint: LiteralString
    schema_rejection_seq: LiteralString
    schema_rejection_replay: LiteralString
    schema_review_item_id: LiteralString
    schema_review_item_pair: LiteralString
    schema_review_item_status: LiteralString
    schema_merge_id: LiteralString
    schema_merge_survivor: LiteralString
    schema_cannot_link_pair: LiteralString
    schema_cannot_link_a: LiteralString
    schema_cannot_link_b: LiteralString
    schema_evidence_status: LiteralString
    schema_segment_id: LiteralString
    schema_segment_name: LiteralString
    schema_consent_slot: LiteralString
    schema_consent_key: LiteralString
    schema_consent_statement: LiteralString
    schema_event_credit: LiteralString
    schema_event_time: LiteralString
    schema_key_activity: LiteralString
    schema_key_activity_key: LiteralString
    schema_consent_statement_key: LiteralString
    schema_trait_settings: LiteralString
    schema_api_key_name: LiteralString
    schema_api_key_hash: LiteralString
    schema_audit_id: LiteralString
    schema_audit_at: LiteralString
    schema_audit_profile_id: LiteralString
    schema_log_key: LiteralString
    schema_erased_record_fingerprint: LiteralString
    await_indexes: LiteralString
    # -- meta values, ID counters, the commit guard and the writer lock --------------------
    meta_get: LiteralString
    meta_set: LiteralString
    meta_delete: LiteralString
    meta_init: LiteralString
    reserve_ids: LiteralString
    guard_begin_write: LiteralString
    guard_end_write: LiteralString
    guard_read: LiteralString
    guard_extend_lease: LiteralString
    guard_lease_check: LiteralString
    guard_clear_abandoned: LiteralString
    writer_lock_take: LiteralString
    writer_lock_handover: LiteralString
    writer_lock_release: LiteralString
    writer_fence_advance: LiteralString
    writer_fence_check: LiteralString
    # -- ingest reads ------------------------------------------------------------------------
    known_observation_ids: LiteralString
    known_event_ids: LiteralString
    erased_fingerprints: LiteralString
    last_sequence: LiteralString
    read_log: LiteralString
    identifier_profiles: LiteralString
    identifier_guards: LiteralString
    profile_states: LiteralString
    constraint_sides_of_keys: LiteralString
    constraint_sides_of_profiles: LiteralString
    # -- a changeset, in the order it is applied ---------------------------------------------
    insert_observations: LiteralString
    insert_identifiers: LiteralString
    move_identifiers: LiteralString
    move_aliases: LiteralString
    put_aliases: LiteralString
    delete_profiles: LiteralString
    insert_merges: LiteralString
    upsert_profiles: LiteralString
    upsert_evidence: LiteralString
    insert_review_items: LiteralString
    answer_review_items: LiteralString
    set_identifier_guards: LiteralString
    insert_events: LiteralString
    upsert_key_activity: LiteralString
    recount_activity: LiteralString
    insert_rejections: LiteralString
    # -- other writes ------------------------------------------------------------------------
    upsert_cannot_link: LiteralString
    delete_derived_links_batch: LiteralString
    delete_derived_batch: LiteralString
    delete_replay_rejections_batch: LiteralString
    delete_log_index_links_batch: LiteralString
    delete_log_index_keys_batch: LiteralString
    # -- a rebuild under changed key rules (neo4j_rekey.py) ------------------------------------
    record_keys_of_events: LiteralString
    record_keys_of_consent: LiteralString
    rekey_events_of_keys: LiteralString
    rekey_event_keys: LiteralString
    rekey_consent_statements: LiteralString
    consent_statements_of_keys: LiteralString
    mark_replay_rejections: LiteralString
    # -- reads -------------------------------------------------------------------------------
    resolve_profile_ids: LiteralString
    get_profiles: LiteralString
    profiles_page: LiteralString
    journey_pages: LiteralString
    journey_pages_newest_first: LiteralString
    list_rejections: LiteralString
    kept_rejections: LiteralString
    merge_history: LiteralString
    merges_as_recorded: LiteralString
    joined_open_items: LiteralString
    list_review_items: LiteralString
    open_review_items_of_profiles: LiteralString
    stats: LiteralString
    # -- the log index (neo4j_log_index.py) ---------------------------------------------------
    index_log: LiteralString
    log_index_claim: LiteralString
    log_entry_before_page: LiteralString
    logged_observations_with: LiteralString
    # -- bulk reads (neo4j_export.py) --------------------------------------------------------
    events_page: LiteralString
    list_cannot_links: LiteralString
    consent_statements_page: LiteralString
    count_consent_statements: LiteralString
    # -- segments, consent and insights (neo4j_segments.py) ----------------------------------
    insert_segment: LiteralString
    update_segment: LiteralString
    delete_segment: LiteralString
    get_segments: LiteralString
    segment_by_name: LiteralString
    list_segments: LiteralString
    record_consent: LiteralString
    upsert_consent: LiteralString
    consent_of_identifiers: LiteralString
    consent_of_profiles: LiteralString
    graph_counts: LiteralString
    # -- traits and insights (neo4j_activity.py) ---------------------------------------------
    trait_settings_init: LiteralString
    trait_settings_get: LiteralString
    trait_settings_set: LiteralString
    profile_ids_page: LiteralString
    trait_facts: LiteralString
    attribute_completeness: LiteralString
    events_per_day: LiteralString
    # skeletons: neo4j_segment_compiler fills in their placeholder parameter
    segment_sizes: LiteralString
    segment_page: LiteralString
    segment_memberships: LiteralString
    segment_contacts: LiteralString
    buyer_values: LiteralString
    # -- API keys and the audit log (neo4j_access.py) ----------------------------------------
    insert_api_key: LiteralString
    list_api_keys: LiteralString
    api_key_by_hash: LiteralString
    revoke_api_key: LiteralString
    append_audit: LiteralString
    list_audit: LiteralString
    set_audit_details: LiteralString
    list_audit_of_profile: LiteralString
    # -- erasure, in the order it is applied (neo4j_erasure.py) --------------------------------
    erase_keep_log_end: LiteralString
    erase_delete_observations: LiteralString
    erase_rewrite_observations: LiteralString
    erase_log_keys: LiteralString
    erase_events_of_keys: LiteralString
    erase_delete_events: LiteralString
    erase_rewrite_events: LiteralString
    erase_event_keys: LiteralString
    erase_key_activity: LiteralString
    erase_consent_statements: LiteralString
    erase_consent: LiteralString
    erase_evidence: LiteralString
    erase_review_items: LiteralString
    erase_unhold_review_items: LiteralString
    erase_cannot_links: LiteralString
    erase_must_links: LiteralString
    erase_decisions: LiteralString
    erase_redact_decisions: LiteralString
    erase_requarantine: LiteralString
    erase_requote_review_items: LiteralString
    erase_audit_reasons: LiteralString
    erase_unname_audit_entries: LiteralString
    erase_unname_answering_records: LiteralString
    erase_merges: LiteralString
    erase_merge_reasons: LiteralString
    erase_cannot_link_reasons: LiteralString
    erase_must_link_reasons: LiteralString
    erase_resolution_reasons: LiteralString
    erase_identifiers: LiteralString
    erase_profile: LiteralString
    erase_rejections: LiteralString
    insert_erased_records: LiteralString
    erased_records_page: LiteralString
    observation_mention_page: LiteralString
    event_mention_page: LiteralString
    decision_mention_page: LiteralString

    def schema(self) -> list[LiteralString]:
        """The constraint and index statements, in the order they are applied."""
        return [getattr(self, f.name) for f in fields(self) if f.name.startswith("schema_")]


CYPHER = load_statements(Neo4jStatements)
