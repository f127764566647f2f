<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN" sourcelanguage="vi_VN">
  <context>
    <name>MainWindow</name>
    <message>
      <source>&amp;Tệp</source>
      <translation>&amp;Tệp</translation>
    </message>
    <message>
      <source>&amp;Nhập danh sách lớp từ Excel…</source>
      <translation>&amp;Nhập danh sách lớp từ Excel…</translation>
    </message>
    <message>
      <source>Xuất &amp;mẫu danh sách lớp (Excel)…</source>
      <translation>Xuất &amp;mẫu danh sách lớp (Excel)…</translation>
    </message>
    <message>
      <source>&amp;Xuất bảng đánh giá của lớp ra Excel (nhập ở nhà)…</source>
      <translation>&amp;Xuất bảng đánh giá của lớp ra Excel (nhập ở nhà)…</translation>
    </message>
    <message>
      <source>Nhập &amp;bảng đánh giá từ Excel…</source>
      <translation>Nhập &amp;bảng đánh giá từ Excel…</translation>
    </message>
    <message>
      <source>Xuất bảng &amp;tổng hợp kết quả của lớp (Excel)…</source>
      <translation>Xuất bảng &amp;tổng hợp kết quả của lớp (Excel)…</translation>
    </message>
    <message>
      <source>Đổi &amp;người dùng…</source>
      <translation>Đổi &amp;người dùng…</translation>
    </message>
    <message>
      <source>&amp;Khóa màn hình</source>
      <translation>&amp;Khóa màn hình</translation>
    </message>
    <message>
      <source>&amp;Thoát</source>
      <translation>&amp;Thoát</translation>
    </message>
    <message>
      <source>&amp;Nhà trường</source>
      <translation>&amp;Nhà trường</translation>
    </message>
    <message>
      <source>Cán bộ, giáo viên…</source>
      <translation>Cán bộ, giáo viên…</translation>
    </message>
    <message>
      <source>Phân công GVCN, GVBM…</source>
      <translation>Phân công GVCN, GVBM…</translation>
    </message>
    <message>
      <source>Hồ sơ học sinh…</source>
      <translation>Hồ sơ học sinh…</translation>
    </message>
    <message>
      <source>Chứng thư số gốc tin cậy…</source>
      <translation>Chứng thư số gốc tin cậy…</translation>
    </message>
    <message>
      <source>&amp;Sửa</source>
      <translation>&amp;Sửa</translation>
    </message>
    <message>
      <source>&amp;Hoàn tác</source>
      <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
      <source>&amp;Làm lại</source>
      <translation>&amp;Làm lại</translation>
    </message>
    <message>
      <source>&amp;Gợi ý nhận xét</source>
      <translation>&amp;Gợi ý nhận xét</translation>
    </message>
    <message>
      <source>&amp;Học bạ</source>
      <translation>&amp;Học bạ</translation>
    </message>
    <message>
      <source>&amp;Xem trước bản giấy của học sinh đang chọn…</source>
      <translation>&amp;Xem trước bản giấy của học sinh đang chọn…</translation>
    </message>
    <message>
      <source>Xuất bản giấy cả &amp;lớp (PDF)…</source>
      <translation>Xuất bản giấy cả &amp;lớp (PDF)…</translation>
    </message>
    <message>
      <source>Quyết định lên lớp / ở lại lớp…</source>
      <translation>Quyết định lên lớp / ở lại lớp…</translation>
    </message>
    <message>
      <source>&amp;Công cụ</source>
      <translation>&amp;Công cụ</translation>
    </message>
    <message>
      <source>&amp;Ngân hàng nhận xét…</source>
      <translation>&amp;Ngân hàng nhận xét…</translation>
    </message>
    <message>
      <source>&amp;Tài khoản người dùng…</source>
      <translation>&amp;Tài khoản người dùng…</translation>
    </message>
    <message>
      <source>Sao &amp;lưu dữ liệu</source>
      <translation>Sao &amp;lưu dữ liệu</translation>
    </message>
    <message>
      <source>Sao lưu ngay</source>
      <translation>Sao lưu ngay</translation>
    </message>
    <message>
      <source>Khôi phục từ bản sao lưu…</source>
      <translation>Khôi phục từ bản sao lưu…</translation>
    </message>
    <message>
      <source>Mở thư mục sao lưu</source>
      <translation>Mở thư mục sao lưu</translation>
    </message>
    <message>
      <source>Cài đặt…</source>
      <translation>Cài đặt…</translation>
    </message>
    <message>
      <source>Trợ &amp;giúp</source>
      <translation>Trợ &amp;giúp</translation>
    </message>
    <message>
      <source>&amp;Hướng dẫn sử dụng</source>
      <translation>&amp;Hướng dẫn sử dụng</translation>
    </message>
    <message>
      <source>&amp;Giới thiệu</source>
      <translation>&amp;Giới thiệu</translation>
    </message>
    <message>
      <source>&amp;Ký số</source>
      <translation>&amp;Ký số</translation>
    </message>
    <message>
      <source>Ký và phát hành…</source>
      <translation>Ký và phát hành…</translation>
    </message>
    <message>
      <source>Xác minh tệp học bạ…</source>
      <translation>Xác minh tệp học bạ…</translation>
    </message>
    <message>
      <source>Token…</source>
      <translation>Token…</translation>
    </message>
    <message>
      <source>Lưu &amp;trữ</source>
      <translation>Lưu &amp;trữ</translation>
    </message>
    <message>
      <source>Xuất kho lưu trữ năm học ra ổ ngoài…</source>
      <translation>Xuất kho lưu trữ năm học ra ổ ngoài…</translation>
    </message>
    <message>
      <source>Mở kho lưu trữ…</source>
      <translation>Mở kho lưu trữ…</translation>
    </message>
    <message>
      <source>Khóa năm học…</source>
      <translation>Khóa năm học…</translation>
    </message>
    <message>
      <source>Mở khóa năm học…</source>
      <translation>Mở khóa năm học…</translation>
    </message>
    <message>
      <source>Gửi &amp;CSDL</source>
      <translation>Gửi &amp;CSDL</translation>
    </message>
    <message>
      <source>Gửi ngay</source>
      <translation>Gửi ngay</translation>
    </message>
    <message>
      <source>Hàng chờ gửi theo lớp…</source>
      <translation>Hàng chờ gửi theo lớp…</translation>
    </message>
    <message>
      <source>Hạn gửi theo lớp…</source>
      <translation>Hạn gửi theo lớp…</translation>
    </message>
    <message>
      <source>Địa chỉ gửi…</source>
      <translation>Địa chỉ gửi…</translation>
    </message>
    <message>
      <source>Đính &amp;chính</source>
      <translation>Đính &amp;chính</translation>
    </message>
    <message>
      <source>Lập phiếu đề nghị sửa…</source>
      <translation>Lập phiếu đề nghị sửa…</translation>
    </message>
    <message>
      <source>Hộp phiếu đề nghị…</source>
      <translation>Hộp phiếu đề nghị…</translation>
    </message>
    <message>
      <source>Lịch sử học bạ…</source>
      <translation>Lịch sử học bạ…</translation>
    </message>
    <message>
      <source>Nhật ký hệ thống…</source>
      <translation>Nhật ký hệ thống…</translation>
    </message>
    <message>
      <source>Thu hồi học bạ…</source>
      <translation>Thu hồi học bạ…</translation>
    </message>
    <message>
      <source>&amp;Báo cáo</source>
      <translation>&amp;Báo cáo</translation>
    </message>
    <message>
      <source>Bảng điều khiển</source>
      <translation>Bảng điều khiển</translation>
    </message>
    <message>
      <source>Báo cáo thống kê…</source>
      <translation>Báo cáo thống kê…</translation>
    </message>
    <message>
      <source>Chuyển trường: xuất…</source>
      <translation>Chuyển trường: xuất…</translation>
    </message>
    <message>
      <source>Chuyển trường: nhận…</source>
      <translation>Chuyển trường: nhận…</translation>
    </message>
    <message>
      <source>Môn học</source>
      <translation>Môn học</translation>
    </message>
    <message>
      <source>Phẩm chất – Năng lực</source>
      <translation>Phẩm chất – Năng lực</translation>
    </message>
    <message>
      <source>Tổng hợp</source>
      <translation>Tổng hợp</translation>
    </message>
    <message>
      <source>Giải thích kết quả (Điều 9)</source>
      <translation>Giải thích kết quả (Điều 9)</translation>
    </message>
    <message>
      <source>Thông báo</source>
      <translation>Thông báo</translation>
    </message>
    <message>
      <source>Chính</source>
      <translation>Chính</translation>
    </message>
    <message>
      <source>Năm học:</source>
      <translation>Năm học:</translation>
    </message>
    <message>
      <source>Kì đánh giá:</source>
      <translation>Kì đánh giá:</translation>
    </message>
    <message>
      <source>Người thao tác:</source>
      <translation>Người thao tác:</translation>
    </message>
  </context>
</TS>
