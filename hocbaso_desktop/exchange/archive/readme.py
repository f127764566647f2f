"""The Vietnamese README placed in every archive (data/README.txt): what it is and how to check it."""

from __future__ import annotations

from dataclasses import dataclass

from . import layout
from .bagit_format import MANIFEST, SEAL_CHAIN, SEAL_FILE, TAGMANIFEST


@dataclass(frozen=True)
class ReadmeFacts:
    school: str
    school_code: str
    year: str
    interim: bool
    sealed: bool
    created: str
    classes: int
    students: int
    records: int
    summary_pdf: bool
    transcribed: int = 0  # trích lục versions in layout.TRANSCRIBED_DIR


def readme_text(f: ReadmeFacts) -> str:
    kind = ("BẢN TẠM (interim): năm học CHƯA KHÓA, đây chỉ là bản sao an toàn giữa năm, KHÔNG thay thế kho "
            "lưu trữ chính thức sau khi khóa năm học." if f.interim else
            "BẢN CHÍNH THỨC: tạo sau khi Hiệu trưởng đã khóa năm học (Quy chế, Điều 10).")
    seal = (f"Kho được niêm phong bằng chữ ký số CMS/PKCS#7 trên tệp {TAGMANIFEST}: {SEAL_FILE}, "
            f"kèm chuỗi chứng thư {SEAL_CHAIN}." if f.sealed else
            "Kho này KHÔNG được niêm phong bằng chữ ký số: mã băm chỉ cho biết các tệp khớp nhau, "
            "không chứng minh ai đã tạo kho.")
    pdf = ("" if f.summary_pdf else
           "\nGhi chú: phiên bản chương trình này chưa tạo được bảng tổng hợp dạng PDF; bảng tổng hợp chỉ có dạng .xlsx.\n")
    return f"""KHO LƯU TRỮ HỌC BẠ SỐ — {f.school} (mã {f.school_code}) — NĂM HỌC {f.year}

{kind}
Tạo lúc {f.created}: {f.classes} lớp, {f.students} học sinh, {f.records} bản học bạ (mọi phiên bản: phát hành, bị thay thế, thu hồi).

1. NỘI DUNG
Thư mục này là một "túi" BagIt (RFC 8493). Mọi tệp dữ liệu nằm trong data/:
  {layout.RECORDS_DIR}/<lớp>/<mã tra cứu>_v<phiên bản>.xml   học bạ số đã ký (XML, chữ ký XAdES bên trong)
  {layout.PAPER_DIR}/<lớp>/<mã tra cứu>_v<phiên bản>.pdf    bản giấy của từng học bạ đang có hiệu lực
  {layout.RECEIVED_DIR}/<mã định danh>/<mã tra cứu>_<năm học>_v<phiên bản>.xml (.pdf)
                                     học bạ do trường cũ phát hành, nhận khi học sinh chuyển đến (giữ nguyên)
  {layout.TRANSCRIBED_DIR}/<mã định danh>/<mã tra cứu>_<năm học giấy>_v<phiên bản>.xml (.pdf)
                                     trích lục từ học bạ giấy: những năm học trường còn dùng học bạ giấy, nhập lại
                                     và phát hành trong năm học này (Hiệu trưởng ký, đóng dấu; ghi số sổ học bạ
                                     giấy; không phải bản gốc) — {f.transcribed} bản
  {layout.SUMMARY_DIR}/<lớp>-CN.xlsx                      bảng tổng hợp kết quả đánh giá cuối năm của lớp
  {layout.DB_SNAPSHOT}          bản sao cơ sở dữ liệu (SQLite, sao lưu trực tuyến)
  {layout.AUDIT_LOG}, {layout.AUDIT_HEAD}   nhật ký thao tác (chuỗi băm) và đầu chuỗi
  {layout.INDEX}                        mục lục: lớp, học sinh, các phiên bản học bạ, trích lục (kèm số sổ giấy)
{pdf}
{MANIFEST} ghi mã SHA-256 của từng tệp dữ liệu; {TAGMANIFEST} ghi mã SHA-256 của bagit.txt,
bag-info.txt và {MANIFEST}. {seal}
Thư mục seal/ nằm ngoài hai danh mục (vì chữ ký ký lên danh mục); bag-info.txt (có trong danh mục)
ghi tên tệp niêm phong, nên xóa niêm phong cũng bị phát hiện. Ngoài các tệp trên, kho không được có tệp nào khác.

2. KIỂM TRA BẰNG CHƯƠNG TRÌNH (không cần cơ sở dữ liệu, không cần mạng)
  hocbaso archive verify <đường dẫn tới thư mục này> [--trust <thư mục chứng thư gốc>]
Chương trình kiểm tra cấu trúc, mọi mã băm, niêm phong và chuỗi chứng thư, chữ ký số của từng học bạ và
nhật ký thao tác; chỉ kết luận "NGUYÊN VẸN" khi mọi điều đều đúng.
Trích lục do chính trường ký (Hiệu trưởng, con dấu) nên được kiểm tra như học bạ của trường.
Học bạ nhận khi chuyển đến do trường khác ký: chữ ký bị hỏng (nội dung đã bị sửa) là lỗi của kho; còn nếu
chữ ký nguyên vẹn mà chứng thư của trường cũ chưa có trong kho tin cậy, chương trình chỉ ghi chú cho từng
tệp (thêm chứng thư gốc của trường đó bằng --trust để xác minh), niêm phong của kho vẫn được đánh giá riêng.

3. KIỂM TRA BẰNG TAY (Linux / macOS; Windows dùng Git Bash hoặc WSL)
  cd <thư mục này>
  sha256sum -c {MANIFEST}          # mọi tệp dữ liệu: phải "OK" hết
  sha256sum -c {TAGMANIFEST}       # các tệp thẻ: phải "OK" hết
  openssl cms -verify -binary -inform DER -in {SEAL_FILE} -content {TAGMANIFEST} \\
      -CAfile <chứng thư gốc của CA> -certfile {SEAL_CHAIN} -purpose any -out /dev/null
                                   # phải in "CMS Verification successful"
  xmlsec1 --verify --id-attr:Id thongtinhocba --trusted-pem <chứng thư gốc> \\
      --untrusted-pem <chứng thư trung gian> {layout.RECORDS_DIR}/<lớp>/<tệp>.xml
                                   # kiểm tra chữ ký số của một học bạ (với tệp nhiều chữ ký, chương trình
                                   # hocbaso kiểm tra từng chữ ký riêng)
Đồng thời kiểm tra rằng không có tệp nào ngoài danh mục: so danh sách `find data -type f` với {MANIFEST}.

4. LƯU Ý
Không sửa, thêm, xóa hay đổi tên bất kỳ tệp nào: mọi thay đổi đều làm kho KHÔNG ĐẠT khi kiểm tra.
Tạo lại danh mục bằng công cụ BagIt khác cũng không qua được, vì niêm phong chỉ tạo được bằng thiết bị ký số
của nhà trường. Giữ kho ở nơi khô ráo; nên có ít nhất hai bản trên hai ổ khác nhau.
"""
