"""Questions citizens ask in their own words about their situation, answered for what they mean (through the
real engine): a worker of a closed shop is not the shop, a supplement stacks on another support, where a
worker living away from home registers, whether the public list holds their name."""

from __future__ import annotations

import pytest

from bot.app import HoTro
from tests.chat import Chat, joined


async def ask(app: HoTro, text: str) -> str:
    chat = Chat(app)
    await chat.say("/start")
    return joined(await chat.say(text))


@pytest.mark.parametrize(
    "text",
    [
        "em là sinh viên đi làm thêm quán cà phê, quán đóng cửa 1 tháng thì em có được hỗ trợ không",
        "tôi làm phục vụ nhà hàng, nhà hàng đóng cửa 20 ngày tôi có được hỗ trợ không",
        "chị làm thuê cho tiệm tóc, tiệm phải đóng cửa thì chị có được gì không",
    ],
)
async def test_a_worker_of_a_closed_shop_is_not_the_household_business(app: HoTro, text: str) -> None:
    """The household business support is the business's (its owner's); one who works there is a worker."""
    reply = await ask(app, text)
    assert not reply.startswith("Có. Hỗ trợ hộ kinh doanh"), reply
    assert "chủ" in reply and "lao động tự do" in reply
    assert "hợp đồng lao động" in reply  # with a contract and insurance, the employees' supports


async def test_a_worker_with_a_contract_is_pointed_to_the_employees_support(app: HoTro) -> None:
    reply = await ask(
        app, "tôi làm nhân viên nhà hàng có hợp đồng lao động, đóng bảo hiểm xã hội, nhà hàng đóng cửa 1 tháng"
    )
    assert "Hỗ trợ người lao động tạm hoãn thực hiện hợp đồng lao động" in reply, reply
    assert not reply.startswith("Có. Hỗ trợ hộ kinh doanh")


async def test_the_owner_of_a_closed_shop_still_gets_the_household_business_answer(app: HoTro) -> None:
    reply = await ask(app, "quán cà phê của tôi bị đóng cửa 1 tháng theo yêu cầu của phường thì có được hỗ trợ không")
    assert reply.startswith("Có. Hỗ trợ hộ kinh doanh: 3.000.000"), reply
