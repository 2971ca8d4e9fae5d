"""The clinic's places (locations and their treatment rooms) and the waitlist
with its offers of freed slots (API.md, Scheduling v1 additions)."""

from .words import ETAG, IF_MATCH, Doc

MANAGER_WRITES = "The manager only (403 for other roles). "
ALL_STAFF_READ = "Every staff role but the biller (403). "
DESK = "The front desk writes; the manager reads; other roles get 403. "

OPERATIONS = {
    # --- locations --------------------------------------------------------------------
    "locations_list": Doc(
        "List the clinic's locations",
        "Each location with its `name`, `address` and `time_zone` (an IANA name such as "
        "`America/New_York`). " + ALL_STAFF_READ,
    ),
    "locations_create": Doc(
        "Add a location",
        "`name`, `address` and `time_zone`; an unknown time zone is a 400 naming "
        "`time_zone`. " + MANAGER_WRITES + "Answers 201 with the location.",
    ),
    "locations_retrieve": Doc("Read a location", ALL_STAFF_READ + ETAG),
    "locations_update": Doc(
        "Replace a location's details",
        "Name, address and time zone at once. " + MANAGER_WRITES + IF_MATCH,
    ),
    "locations_partial_update": Doc(
        "Change some of a location's details",
        "Only the fields sent change. " + MANAGER_WRITES + IF_MATCH,
    ),
    # --- rooms ------------------------------------------------------------------------
    "rooms_list": Doc(
        "List the treatment rooms",
        "Every room with its `location`; `?location=` narrows to one location. " + ALL_STAFF_READ,
    ),
    "rooms_create": Doc(
        "Add a treatment room",
        "`location` and `name`; a name already used at that location is a 400 naming "
        "`name`. A visit may then name the room, and no room holds two live visits at once "
        "(409 `conflict` with `with`: `room`). " + MANAGER_WRITES + "Answers 201.",
    ),
    "rooms_retrieve": Doc("Read a treatment room", ALL_STAFF_READ + ETAG),
    "rooms_update": Doc(
        "Replace a room's details",
        "Rename a room or move it to another location. " + MANAGER_WRITES + IF_MATCH,
    ),
    "rooms_partial_update": Doc(
        "Change some of a room's details",
        "Only the fields sent change. " + MANAGER_WRITES + IF_MATCH,
    ),
    # --- the waitlist and its offers --------------------------------------------------
    "waitlist_list": Doc(
        "List the waitlist",
        "Patients waiting for an earlier visit, with the dates, weekdays (RRULE day codes) "
        "and hours they can come and, optionally, the one therapist they want. Open entries "
        "only; `?all=1` includes those already served or withdrawn. " + DESK,
    ),
    "waitlist_create": Doc(
        "Put a patient on the waitlist",
        "`patient`, `plan` (the patient's approved plan), optional `therapist`, `earliest` "
        "and `latest` dates, `weekdays` and `from_time`/`to_time`. When a visit that fits "
        "is cancelled, the entry is offered the freed slot, and a patient with a usable "
        "channel gets a message with a link. A bad field is a 400 naming it (`weekdays`, "
        "`latest`, `to_time`, `plan`, `therapist`). " + DESK + "Answers 201.",
    ),
    "waitlist_retrieve": Doc("Read a waitlist entry", DESK + ETAG),
    "waitlist_update": Doc(
        "Replace a waitlist entry's wishes",
        "The whole entry, as when it was added; the `patient` must stay the same (400 naming "
        "`patient`). Checked as a new entry is; open offers the entry no longer fits are "
        "withdrawn. A served or withdrawn entry is a 409. The front desk only; the manager "
        "and other roles get 403. " + IF_MATCH,
    ),
    "waitlist_partial_update": Doc(
        "Change a waitlist entry's wishes",
        "Any of `plan`, `therapist` (null: any therapist), `earliest`, `latest`, `weekdays`, "
        "`from_time` and `to_time`; only the fields sent change, and the entry is checked "
        "whole as a new one is (a 400 names each bad field; nothing changes). The patient "
        "cannot change (400 naming `patient`). Open offers the entry no longer fits are "
        "withdrawn. A served or withdrawn entry is a 409. The front desk only; the manager "
        "and other roles get 403. " + IF_MATCH,
    ),
    "waitlist_withdraw_create": Doc(
        "Take a patient off the waitlist",
        "Optional `reason`. The entry is closed and kept, with `withdrawn_at` and "
        "`withdraw_reason` (`?all=1` lists it), and its open offers are withdrawn, so their "
        "links book nothing (409). Withdrawing a served or withdrawn entry is a 409. The front "
        "desk only; the manager and other roles get 403. Answers 200 with the entry. " + IF_MATCH,
    ),
    "waitlist_offers_list": Doc(
        "List the offers of freed slots",
        "Each slot freed by a cancellation, offered to the waitlist entries it fits; open "
        "offers first. " + DESK,
    ),
    "waitlist_offers_retrieve": Doc("Read an offer", DESK),
    "waitlist_offers_accept_create": Doc(
        "Book an offered slot for its patient",
        "For a patient who accepts on the phone. No body. The slot is booked through the "
        "booking service, so every booking rule applies (400 or 409 with the reason). The "
        "first acceptance of a slot wins, by the front desk or by the patient's link; a "
        "later one is a 409 and books nothing. The front desk only. Answers 201 with the booked "
        "visit.",
    ),
}
