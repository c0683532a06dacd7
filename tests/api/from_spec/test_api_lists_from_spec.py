"""A client of the JSON API written from api.md alone: lists read back page by page; stale
versions and refused dates come back in the error shape."""

from __future__ import annotations

from tests.api.from_spec.helpers import BASE


def test_lists_read_back_page_by_page(world):
    a, b = world["a"], world["b"]
    c1, c2, c3, c4, c5, c6 = world["clients"]

    # Coach A's clients, two per page: 5 clients, 3 pages, in code order; none of coach B's.
    clients, total, pages = a.all_pages("/clients", per_page=2)
    assert (total, pages, len(clients)) == (5, 3, 5)
    codes = [c["code"] for c in clients]
    assert codes == sorted(codes)
    assert {c["id"] for c in clients} == {c1["id"], c2["id"], c3["id"], c4["id"], c5["id"]}
    # Coach B sees only their own client, and a filter by status narrows the list.
    assert b.get("/clients")["total"] == 1
    assert a.get("/clients", status="discharged")["total"] == 1  # C4; C3 came back

    # C1's sessions, three per page: 2024-11-06, 03-03, 04-10, 05-20 -> 4, newest first.
    sessions, total, pages = a.all_pages(f"/clients/{c1['id']}/sessions", per_page=3)
    assert (total, pages) == (4, 2)
    assert [s["date"] for s in sessions] == ["2025-05-20", "2025-04-10", "2025-03-03", "2024-11-06"]
    assert [s["outcome"] for s in sessions] == ["completed", "attempted", "completed", "completed"]
    assert len(sessions[2]["goal_ids"]) == 1

    # C1's appointments: four; assessments: four with totals 50, 41, 35, 28 newest first.
    appts, total, _ = a.all_pages(f"/clients/{c1['id']}/appointments", per_page=1)
    assert total == 4 and len(appts) == 4
    assert sorted(x["outcome"] for x in appts) == ["attended", "no_show", "scheduled", "scheduled"]
    barcs, total, _ = a.all_pages(f"/clients/{c1['id']}/assessments", per_page=2)
    assert [x["total"] for x in barcs] == [50, 41, 35, 28]

    # C1's referrals: the early housing one, the housing one entered connected, employment.
    refs, total, pages = a.all_pages(f"/clients/{c1['id']}/referrals", per_page=2)
    assert (total, pages) == (3, 2)
    assert sorted(r["status"] for r in refs) == ["connected", "connected", "connected"]
    goals, total, _ = a.all_pages(f"/clients/{c1['id']}/goals", per_page=50)
    assert sorted(g["status"] for g in goals) == ["achieved", "discontinued"]

    # C3: two episodes, the latest open; the client shows the latest episode.
    episodes = a.get(f"/clients/{c3['id']}/enrollments")["items"]
    assert sorted((e["intake_date"], e["discharge_date"]) for e in episodes) == [
        ("2024-09-02", "2025-03-01"),
        ("2025-04-07", None),
    ]
    now = a.get(f"/clients/{c3['id']}")
    assert (now["status"], now["intake_date"], now["discharge_date"]) == (
        "active",
        "2025-04-07",
        None,
    )
    assert a.get(f"/clients/{c4['id']}")["discharge_reason"] == "moved"

    # The appointments entered in New York time read back as entered, in the program's zone.
    c2_appts = a.get(f"/clients/{c2['id']}/appointments")["items"]
    assert any(x["scheduled_at"].startswith("2025-03-31T23:30") for x in c2_appts)
    c6_appts = b.get(f"/clients/{c6['id']}/appointments")["items"]
    assert any(x["scheduled_at"].startswith("2025-02-28T22:30") for x in c6_appts)

    # Outside the access rule: another coach's client and its children are 404.
    assert b.status("GET", f"/clients/{c1['id']}") == 404
    assert b.status("GET", f"/clients/{c1['id']}/sessions") == 404
    assert a.status("GET", f"/clients/{c6['id']}/referrals") == 404
    # The supervisor of both coaches sees both caseloads.
    assert world["sup"].get("/clients", per_page=200)["total"] == 6
    assert c5["status"] == "active"


def test_stale_versions_and_refused_dates_come_back_in_the_error_shape(world):
    a = world["a"]
    c2 = world["clients"][1]
    (goal,) = a.get(f"/clients/{c2['id']}/goals")["items"]
    changed = a.patch(
        f"/goals/{goal['id']}", {"target_date": "2025-09-30", "version": goal["version"]}
    )
    assert changed["target_date"] == "2025-09-30"
    # The same old version again: someone else changed the record in between.
    response = a.http.patch(
        f"{BASE}/goals/{goal['id']}",
        json={"target_date": "2025-10-31", "version": goal["version"]},
        headers=a.headers,
    )
    assert response.status_code == 409
    assert set(response.get_json()) == {"error"}
    # A session dated in the future has not happened: 422, naming the field.
    response = a.http.post(
        f"{BASE}/clients/{c2['id']}/sessions",
        json={
            "date": "2099-01-01",
            "duration_minutes": 30,
            "modality": "phone",
            "kind": "coaching",
            "outcome": "completed",
        },
        headers=a.headers,
    )
    assert response.status_code == 422
    assert "date" in response.get_json()["error"]["fields"]
    assert a.get(f"/clients/{c2['id']}/sessions")["total"] == 3
