"""Word lists for the demo school: Vietnamese names, places and comments (NFC, correct diacritics)."""

SURNAMES = [
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Vũ", 5), ("Phan", 4), ("Đặng", 4),
    ("Bùi", 4), ("Đỗ", 4), ("Hồ", 2), ("Ngô", 3), ("Dương", 2), ("Lý", 2), ("Đinh", 2), ("Trịnh", 2), ("Lương", 1),
    ("Mai", 1), ("Cao", 1), ("Tạ", 1),
]
MIDDLE_MALE = ["Văn", "Minh", "Đức", "Quang", "Gia", "Hoàng", "Anh", "Thành", "Hữu", "Bảo", "Đăng", "Tuấn", "Nhật", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Khánh", "Phương", "Bảo", "Minh", "Thanh", "Mai", "Hải", "Diệu", "Tường", "Quỳnh", "Thảo"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khang", "Khoa", "Kiên", "Long", "Minh", "Nam",
    "Phúc", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vũ", "Huy", "Đăng", "Nhật", "Phong", "Khôi", "Lâm",
    "Thịnh", "Duy", "Hưng", "Tùng", "Bảo", "Đức",
]
GIVEN_FEMALE = [
    "Anh", "Chi", "Diệp", "Giang", "Hà", "Hân", "Hương", "Lan", "Linh", "Mai", "My", "Ngân", "Ngọc", "Nhi",
    "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Tuyết", "Uyên", "Vy", "Yến", "Ánh", "Châu", "Hằng",
    "Trâm", "Thư", "Huyền", "Ly", "Khuê",
]
# (code, weight): mostly Kinh, a realistic handful of others for a northern city school
ETHNIC_WEIGHTS = [("01", 86), ("02", 3), ("04", 3), ("06", 2), ("07", 2), ("03", 2), ("05", 1), ("09", 1)]
# birth registration provinces (code, weight, name)
PROVINCES = [("031", 80, "Hải Phòng"), ("030", 8, "Hải Dương"), ("001", 5, "Hà Nội"), ("034", 4, "Thái Bình"), ("022", 3, "Quảng Ninh")]
WARDS = ["phường An Biên", "phường Lê Chân", "phường Hồng Bàng", "phường Ngô Quyền", "phường An Dương", "phường Kiến An"]
STREETS = ["Trần Nguyên Hãn", "Lạch Tray", "Tô Hiệu", "Hai Bà Trưng", "Nguyễn Đức Cảnh", "Cát Cụt", "Hàng Kênh", "Dư Hàng"]

GENERIC_SUBJECT_COMMENTS = {
    "T": ["Hoàn thành tốt các nội dung học tập; tích cực, sáng tạo trong giờ học.",
          "Nắm vững kiến thức, vận dụng tốt vào bài tập; trình bày sạch đẹp.",
          "Học tập chăm chỉ, tiếp thu nhanh, hăng hái phát biểu xây dựng bài."],
    "H": ["Hoàn thành các nội dung học tập; cần mạnh dạn phát biểu hơn.",
          "Nắm được kiến thức cơ bản; cần cẩn thận hơn khi làm bài.",
          "Có tiến bộ trong học tập; cần luyện tập thêm ở nhà."],
    "C": ["Chưa hoàn thành một số nội dung; cần được giúp đỡ thêm.",
          "Tiếp thu còn chậm; cần ôn luyện kiến thức cơ bản với sự hỗ trợ của gia đình."],
}
SUBJECT_COMMENTS = {
    "TV": {"T": ["Đọc to, rõ ràng, diễn cảm; viết đúng chính tả, chữ viết đẹp.",
                 "Đọc lưu loát, hiểu nội dung bài; viết đoạn văn mạch lạc, giàu cảm xúc."],
           "H": ["Đọc khá trôi chảy; chữ viết cần đều nét hơn.", "Đọc đúng, viết được đoạn văn ngắn; còn mắc lỗi chính tả."],
           "C": ["Đọc còn chậm, viết sai nhiều lỗi chính tả; cần luyện đọc thêm mỗi ngày."]},
    "TOAN": {"T": ["Tính toán nhanh, chính xác; giải toán có lời văn tốt.", "Nắm chắc kiến thức, vận dụng linh hoạt vào giải toán."],
             "H": ["Thực hiện được các phép tính; cần cẩn thận khi giải toán có lời văn.", "Nắm được kiến thức cơ bản; tính toán đôi khi còn nhầm."],
             "C": ["Thực hiện phép tính còn chậm, hay nhầm; cần ôn lại bảng cửu chương."]},
    "NN1": {"T": ["Phát âm chuẩn, giao tiếp tự tin bằng tiếng Anh."], "H": ["Nhớ được từ vựng cơ bản; cần luyện nói nhiều hơn."],
            "C": ["Vốn từ còn ít; cần ôn luyện từ vựng thường xuyên."]},
}
QUALITY_GROUP_COMMENTS = {
    "PC": {"T": "Ngoan ngoãn, lễ phép, yêu thương bạn bè; trung thực và có trách nhiệm với công việc được giao.",
           "Đ": "Lễ phép, biết giúp đỡ bạn; cần chủ động hơn trong các việc chung của lớp.",
           "C": "Cần cố gắng chăm chỉ hơn và giữ gìn đồ dùng học tập cẩn thận."},
    "NLC": {"T": "Tự giác học tập, hợp tác tốt khi làm việc nhóm; biết giải quyết vấn đề đơn giản.",
            "Đ": "Biết tự phục vụ, hợp tác với bạn; cần mạnh dạn chia sẻ ý kiến.",
            "C": "Cần rèn tính tự giác và tập trung khi làm việc nhóm."},
    "NLD": {"T": "Sử dụng ngôn ngữ lưu loát, tính toán nhanh; yêu thích cái đẹp và tích cực rèn luyện thể chất.",
            "Đ": "Diễn đạt rõ ràng, tính toán được; tham gia đầy đủ các hoạt động nghệ thuật, thể thao.",
            "C": "Cần rèn thêm kĩ năng diễn đạt và tính toán."},
}
TEACHER_COMMENTS = {
    "HTXS": "Em học tập xuất sắc, chăm ngoan, là tấm gương cho các bạn noi theo.",
    "HTT": "Em học tập tốt, chăm chỉ, có ý thức trong mọi hoạt động.",
    "HT": "Em hoàn thành chương trình, cần cố gắng hơn ở năm học tới.",
    "CHT": "Em cần được giúp đỡ thêm trong hè và đánh giá bổ sung.",
}

STAFF = [
    # code, full name, sex, roles, birth year
    ("HT", "Đỗ Thị Thanh Hương", "Nữ", ["principal"], 1974),
    ("PHT", "Nguyễn Văn Hòa", "Nam", ["vice_principal", "admin"], 1979),
    ("QT01", "Phạm Minh Tuấn", "Nam", ["admin"], 1988),
    ("VP01", "Lê Thị Hồng Nhung", "Nữ", ["clerk", "archivist"], 1990),
]
HOMEROOM_TEACHERS = [
    ("GV001", "Trần Thị Mai", "Nữ", 1985), ("GV002", "Vũ Thị Lan Anh", "Nữ", 1988), ("GV003", "Hoàng Thị Thu Hà", "Nữ", 1983),
    ("GV004", "Bùi Thị Ngọc Ánh", "Nữ", 1991), ("GV005", "Đặng Văn Khải", "Nam", 1982), ("GV006", "Ngô Thị Phương", "Nữ", 1987),
    ("GV007", "Phan Thị Hải Yến", "Nữ", 1986), ("GV008", "Lê Quang Vinh", "Nam", 1980), ("GV009", "Dương Thị Thanh Tâm", "Nữ", 1984),
    ("GV010", "Trịnh Thị Minh Nguyệt", "Nữ", 1989),
]
SUBJECT_TEACHERS = [
    # code, name, sex, birth year, subjects, grades
    ("GV011", "Nguyễn Thị Thùy Linh", "Nữ", 1992, ["NN1"], [1, 2, 3, 4, 5]),
    ("GV012", "Phạm Đức Thắng", "Nam", 1990, ["TIN", "CN"], [3, 4, 5]),
    ("GV013", "Lương Văn Cường", "Nam", 1986, ["GDTC"], [1, 2, 3, 4, 5]),
    ("GV014", "Mai Thị Thu Trang", "Nữ", 1993, ["AN"], [1, 2, 3, 4, 5]),
    ("GV015", "Cao Minh Đức", "Nam", 1989, ["MT"], [1, 2, 3, 4, 5]),
]
