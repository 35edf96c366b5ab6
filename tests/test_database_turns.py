"""Under a burst, PostgreSQL's connections go to sessions in the order they asked (storage.database._Turns): a
request that came later never takes a connection ahead of one still waiting, which is what made some answers
wait ten times longer than the rest. PostgreSQL only: SQLite sessions share no pool of connections."""

import asyncio

import pytest
from sqlalchemy import text

from storage import direct
from storage.database import Database, StorageError

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)

ASKING = 300


@pytest.fixture
async def one_connection(postgres_url):
    database = Database(postgres_url, pool_size=1, max_overflow=0)
    yield database
    await database.dispose()


async def test_sessions_get_a_connection_in_the_order_they_asked_for_one(database, one_connection: Database):
    served: list[int] = []

    async def request(number: int) -> None:
        async with one_connection.session() as session:
            await direct.rows(session, text("SELECT 1"))
            served.append(number)

    # A stream of requests, some arriving together and some a moment apart, while each holds the one connection
    # for a round trip: the pool's own queue let a few of them in ahead of others still waiting.
    arriving = []
    for number in range(ASKING):
        arriving.append(asyncio.create_task(request(number)))
        await asyncio.sleep(0.0002 if number % 3 else 0)
    await asyncio.gather(*arriving)

    overtaken = [(before, after) for before, after in zip(served, served[1:], strict=False) if after < before]
    assert overtaken == []
    assert sorted(served) == list(range(ASKING))


async def test_a_session_opened_within_a_session_does_not_wait_for_a_turn_of_its_own(
    database, one_connection: Database
):
    async def nested() -> int:
        async with one_connection.session(), one_connection.session() as inner:
            return (await direct.rows(inner, text("SELECT 2")))[0][0]

    # With one turn, the inner session would otherwise wait for the outer one, which waits for it.
    assert await asyncio.wait_for(nested(), timeout=10) == 2


async def test_reads_without_a_session_take_turns_and_hand_their_connection_back(database, one_connection: Database):
    served: list[int] = []

    async def read(number: int) -> None:
        async with one_connection.reading() as reads:
            assert (await direct.rows(reads, text("SELECT CAST(:n AS integer)"), {"n": number}))[0][0] == number
            served.append(number)

    await asyncio.wait_for(asyncio.gather(*(read(number) for number in range(50))), timeout=30)
    assert served == list(range(50))


async def test_a_failed_read_raises_what_a_session_would_and_leaves_the_connection_usable(
    database, one_connection: Database
):
    with pytest.raises(StorageError):
        async with one_connection.reading() as reads:
            await direct.rows(reads, text("SELECT * FROM no_such_table"))
    async with one_connection.reading() as reads:
        assert (await direct.rows(reads, text("SELECT 4")))[0][0] == 4


async def test_writes_without_a_session_are_kept_only_once_committed(database, one_connection: Database):
    async with one_connection.writing() as writes:
        await direct.write(writes, text("CREATE TABLE writes_probe (n integer)"))
        await writes.commit()
    try:
        for n, committed in ((1, True), (2, False)):
            async with one_connection.writing() as writes:
                await direct.write(writes, text("INSERT INTO writes_probe VALUES (CAST(:n AS integer))"), {"n": n})
                if committed:
                    await writes.commit()
        async with one_connection.reading() as reads:
            assert [row[0] for row in await direct.rows(reads, text("SELECT n FROM writes_probe"))] == [1]
    finally:
        async with one_connection.writing() as writes:
            await direct.write(writes, text("DROP TABLE writes_probe"))
            await writes.commit()
