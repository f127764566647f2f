<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="vi_VN">
  <context>
    <name>MainWindow</name>
    <message>
      <source>&amp;Tệp</source>
      <translation>&amp;File</translation>
    </message>
    <message>
      <source>&amp;Nhập danh sách lớp từ Excel…</source>
      <translation>&amp;Import class lists from Excel…</translation>
    </message>
    <message>
      <source>Xuất &amp;mẫu danh sách lớp (Excel)…</source>
      <translation>Export class list &amp;template (Excel)…</translation>
    </message>
    <message>
      <source>&amp;Xuất bảng đánh giá của lớp ra Excel (nhập ở nhà)…</source>
      <translation>&amp;Export the class's evaluation sheet to Excel (work at home)…</translation>
    </message>
    <message>
      <source>Nhập &amp;bảng đánh giá từ Excel…</source>
      <translation>Import evaluation &amp;sheet from Excel…</translation>
    </message>
    <message>
      <source>Xuất bảng &amp;tổng hợp kết quả của lớp (Excel)…</source>
      <translation>Export class &amp;summary of results (Excel)…</translation>
    </message>
    <message>
      <source>Đổi &amp;người dùng…</source>
      <translation>Switch &amp;user…</translation>
    </message>
    <message>
      <source>&amp;Khóa màn hình</source>
      <translation>&amp;Lock screen</translation>
    </message>
    <message>
      <source>&amp;Thoát</source>
      <translation>&amp;Quit</translation>
    </message>
    <message>
      <source>&amp;Nhà trường</source>
      <translation>&amp;School</translation>
    </message>
    <message>
      <source>Cán bộ, giáo viên…</source>
      <translation>Staff…</translation>
    </message>
    <message>
      <source>Phân công GVCN, GVBM…</source>
      <translation>Teaching assignments…</translation>
    </message>
    <message>
      <source>Hồ sơ học sinh…</source>
      <translation>Pupil details…</translation>
    </message>
    <message>
      <source>Chứng thư số gốc tin cậy…</source>
      <translation>Trusted root certificates…</translation>
    </message>
    <message>
      <source>&amp;Sửa</source>
      <translation>&amp;Edit</translation>
    </message>
    <message>
      <source>&amp;Hoàn tác</source>
      <translation>&amp;Undo</translation>
    </message>
    <message>
      <source>&amp;Làm lại</source>
      <translation>&amp;Redo</translation>
    </message>
    <message>
      <source>&amp;Gợi ý nhận xét</source>
      <translation>Suggest &amp;comment</translation>
    </message>
    <message>
      <source>&amp;Học bạ</source>
      <translation>&amp;Records</translation>
    </message>
    <message>
      <source>&amp;Xem trước bản giấy của học sinh đang chọn…</source>
      <translation>&amp;Preview the selected pupil's paper copy…</translation>
    </message>
    <message>
      <source>Xuất bản giấy cả &amp;lớp (PDF)…</source>
      <translation>Export paper copies of the whole &amp;class (PDF)…</translation>
    </message>
    <message>
      <source>Quyết định lên lớp / ở lại lớp…</source>
      <translation>Promotion decision…</translation>
    </message>
    <message>
      <source>&amp;Công cụ</source>
      <translation>&amp;Tools</translation>
    </message>
    <message>
      <source>&amp;Ngân hàng nhận xét…</source>
      <translation>Comment &amp;bank…</translation>
    </message>
    <message>
      <source>&amp;Tài khoản người dùng…</source>
      <translation>User &amp;accounts…</translation>
    </message>
    <message>
      <source>Sao &amp;lưu dữ liệu</source>
      <translation>&amp;Backups</translation>
    </message>
    <message>
      <source>Sao lưu ngay</source>
      <translation>Back up now</translation>
    </message>
    <message>
      <source>Khôi phục từ bản sao lưu…</source>
      <translation>Restore from a backup…</translation>
    </message>
    <message>
      <source>Mở thư mục sao lưu</source>
      <translation>Open the backup folder</translation>
    </message>
    <message>
      <source>Cài đặt…</source>
      <translation>Settings…</translation>
    </message>
    <message>
      <source>Trợ &amp;giúp</source>
      <translation>&amp;Help</translation>
    </message>
    <message>
      <source>&amp;Hướng dẫn sử dụng</source>
      <translation>User &amp;guide (Vietnamese)</translation>
    </message>
    <message>
      <source>&amp;Giới thiệu</source>
      <translation>&amp;About</translation>
    </message>
    <message>
      <source>&amp;Ký số</source>
      <translation>&amp;Signing</translation>
    </message>
    <message>
      <source>Ký và phát hành…</source>
      <translation>Sign and issue…</translation>
    </message>
    <message>
      <source>Xác minh tệp học bạ…</source>
      <translation>Verify a record file…</translation>
    </message>
    <message>
      <source>Token…</source>
      <translation>Token…</translation>
    </message>
    <message>
      <source>Lưu &amp;trữ</source>
      <translation>&amp;Archive</translation>
    </message>
    <message>
      <source>Xuất kho lưu trữ năm học ra ổ ngoài…</source>
      <translation>Export the year's archive to an external drive…</translation>
    </message>
    <message>
      <source>Mở kho lưu trữ…</source>
      <translation>Open an archive…</translation>
    </message>
    <message>
      <source>Khóa năm học…</source>
      <translation>Lock the school year…</translation>
    </message>
    <message>
      <source>Mở khóa năm học…</source>
      <translation>Unlock the school year…</translation>
    </message>
    <message>
      <source>Gửi &amp;CSDL</source>
      <translation>&amp;Upload</translation>
    </message>
    <message>
      <source>Gửi ngay</source>
      <translation>Send now</translation>
    </message>
    <message>
      <source>Hàng chờ gửi theo lớp…</source>
      <translation>Upload queue by class…</translation>
    </message>
    <message>
      <source>Hạn gửi theo lớp…</source>
      <translation>Upload deadlines by class…</translation>
    </message>
    <message>
      <source>Địa chỉ gửi…</source>
      <translation>Upload address…</translation>
    </message>
    <message>
      <source>Đính &amp;chính</source>
      <translation>&amp;Corrections</translation>
    </message>
    <message>
      <source>Lập phiếu đề nghị sửa…</source>
      <translation>Request a correction…</translation>
    </message>
    <message>
      <source>Hộp phiếu đề nghị…</source>
      <translation>Correction requests…</translation>
    </message>
    <message>
      <source>Lịch sử học bạ…</source>
      <translation>Record history…</translation>
    </message>
    <message>
      <source>Nhật ký hệ thống…</source>
      <translation>Audit log…</translation>
    </message>
    <message>
      <source>Thu hồi học bạ…</source>
      <translation>Withdraw a record…</translation>
    </message>
    <message>
      <source>&amp;Báo cáo</source>
      <translation>R&amp;eports</translation>
    </message>
    <message>
      <source>Bảng điều khiển</source>
      <translation>Dashboard</translation>
    </message>
    <message>
      <source>Báo cáo thống kê…</source>
      <translation>Statistics report…</translation>
    </message>
    <message>
      <source>Chuyển trường: xuất…</source>
      <translation>School transfer: export…</translation>
    </message>
    <message>
      <source>Chuyển trường: nhận…</source>
      <translation>School transfer: receive…</translation>
    </message>
    <message>
      <source>Môn học</source>
      <translation>Subjects</translation>
    </message>
    <message>
      <source>Phẩm chất – Năng lực</source>
      <translation>Qualities – Competences</translation>
    </message>
    <message>
      <source>Tổng hợp</source>
      <translation>Summary</translation>
    </message>
    <message>
      <source>Giải thích kết quả (Điều 9)</source>
      <translation>Why this result (Article 9)</translation>
    </message>
    <message>
      <source>Thông báo</source>
      <translation>Notices</translation>
    </message>
    <message>
      <source>Chính</source>
      <translation>Main</translation>
    </message>
    <message>
      <source>Năm học:</source>
      <translation>School year:</translation>
    </message>
    <message>
      <source>Kì đánh giá:</source>
      <translation>Evaluation period:</translation>
    </message>
    <message>
      <source>Người thao tác:</source>
      <translation>Acting user:</translation>
    </message>
  </context>
</TS>
