"""The console's `/tep PATH`: a file sent as an attachment, as a photo from a phone would be; a photo of
the ID card fills the form, a document is kept with the application (`hotro chat` with a script)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.channels.console import attachment_for
from handlers.turn import Attachment
from tests.cards import card_photo
from tests.test_console import run_chat


def test_tep_names_the_file_and_its_kind(tmp_path: Path) -> None:
    (tmp_path / "the.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4")
    photo = attachment_for("/tep the.jpg", cwd=tmp_path)
    assert isinstance(photo, Attachment)
    assert (photo.kind, photo.file_name, photo.mime_type) == ("photo", "the.jpg", "image/jpeg")
    assert photo.file_id == str((tmp_path / "the.jpg").resolve())
    document = attachment_for(f'/tep "{tmp_path / "paper.pdf"}"')
    assert isinstance(document, Attachment) and document.kind == "document"
    assert attachment_for("/tep", cwd=tmp_path) == "Để gửi tệp, gõ /tep và đường dẫn của tệp, ví dụ: /tep anh-cccd.jpg"
    assert attachment_for("/tep nothing.png", cwd=tmp_path) == "Không có tệp nào ở nothing.png."


def test_a_household_business_applies_with_a_photo_of_the_card_in_the_console(tmp_path: Path) -> None:
    (tmp_path / "cccd.jpg").write_bytes(card_photo())
    (tmp_path / "giay-phep.pdf").write_bytes(b"%PDF-1.4 a licence")
    out = run_chat(
        tmp_path,
        [
            "/tep nothing.jpg",
            "Đăng ký hỗ trợ",
            "#1",  # household business
            "Tôi đồng ý",
            "#1",  # registered household business
            "/tep cccd.jpg",
            "Đúng, tôi kinh doanh tại địa chỉ này",
            "0912345678",
            "Phở An",
            "bán phở",
            "Bỏ qua",  # no tax code at hand
            "01/08/2021",
            "31/08/2021",
            "Chỉ thị 16",
            "#1",  # cash
            "/tep giay-phep.pdf",
            "Xong",
            "#1",  # confirm and submit
        ],
    )
    assert "Không có tệp nào ở nothing.jpg." in out
    assert "📷 Gửi ảnh CCCD để điền nhanh" in out
    assert "Mã QR trên CCCD của bạn cho biết:" in out and "Nguyễn Văn An" in out
    assert "Cảm ơn bạn, thông tin trên thẻ đã được điền." in out
    summary = out[out.rindex("kiểm tra lại thông tin:") :]
    assert "Nguyễn Văn An" in summary and "05/07/1985" in summary and "Xã Nhật Tiến" in summary
    assert "Thôn Đồng Tâm" in summary
    assert "Mã hồ sơ" in out
    with sqlite3.connect(tmp_path / "data" / "hotro.db") as db:
        files = db.execute("SELECT kind, file_id, file_name FROM attachments").fetchall()
    # The document is kept with the application; the photo of the card is not.
    assert files == [("document", str((tmp_path / "giay-phep.pdf").resolve()), "giay-phep.pdf")]
