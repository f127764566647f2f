# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'about_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QHBoxLayout, QLabel, QSizePolicy, QSpacerItem,
    QVBoxLayout, QWidget)

class Ui_AboutDialog(object):
    def setupUi(self, AboutDialog):
        if not AboutDialog.objectName():
            AboutDialog.setObjectName(u"AboutDialog")
        AboutDialog.resize(520, 330)
        self.verticalLayout = QVBoxLayout(AboutDialog)
        self.verticalLayout.setObjectName(u"verticalLayout")
        self.headerLayout = QHBoxLayout()
        self.headerLayout.setObjectName(u"headerLayout")
        self.iconLabel = QLabel(AboutDialog)
        self.iconLabel.setObjectName(u"iconLabel")
        self.iconLabel.setMinimumSize(QSize(72, 72))
        self.iconLabel.setMaximumSize(QSize(72, 72))
        self.iconLabel.setScaledContents(True)

        self.headerLayout.addWidget(self.iconLabel)

        self.titleLayout = QVBoxLayout()
        self.titleLayout.setObjectName(u"titleLayout")
        self.titleLabel = QLabel(AboutDialog)
        self.titleLabel.setObjectName(u"titleLabel")

        self.titleLayout.addWidget(self.titleLabel)

        self.versionLabel = QLabel(AboutDialog)
        self.versionLabel.setObjectName(u"versionLabel")

        self.titleLayout.addWidget(self.versionLabel)


        self.headerLayout.addLayout(self.titleLayout)


        self.verticalLayout.addLayout(self.headerLayout)

        self.bodyLabel = QLabel(AboutDialog)
        self.bodyLabel.setObjectName(u"bodyLabel")
        self.bodyLabel.setWordWrap(True)

        self.verticalLayout.addWidget(self.bodyLabel)

        self.detailsLabel = QLabel(AboutDialog)
        self.detailsLabel.setObjectName(u"detailsLabel")
        self.detailsLabel.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.detailsLabel.setWordWrap(True)

        self.verticalLayout.addWidget(self.detailsLabel)

        self.verticalSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.verticalLayout.addItem(self.verticalSpacer)

        self.buttonBox = QDialogButtonBox(AboutDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.Close)

        self.verticalLayout.addWidget(self.buttonBox)


        self.retranslateUi(AboutDialog)
        self.buttonBox.rejected.connect(AboutDialog.reject)

        QMetaObject.connectSlotsByName(AboutDialog)
    # setupUi

    def retranslateUi(self, AboutDialog):
        AboutDialog.setWindowTitle(QCoreApplication.translate("AboutDialog", u"Gi\u1edbi thi\u1ec7u H\u1ecdc b\u1ea1 s\u1ed1", None))
        self.titleLabel.setText(QCoreApplication.translate("AboutDialog", u"<h2>H\u1ecdc b\u1ea1 s\u1ed1 ti\u1ec3u h\u1ecdc</h2>", None))
        self.versionLabel.setText(QCoreApplication.translate("AboutDialog", u"Phi\u00ean b\u1ea3n", None))
        self.bodyLabel.setText(QCoreApplication.translate("AboutDialog", u"T\u1ea1o, k\u00fd s\u1ed1, ph\u00e1t h\u00e0nh, l\u01b0u tr\u1eef v\u00e0 g\u1eedi H\u1ecdc b\u1ea1 s\u1ed1 c\u1ee7a tr\u01b0\u1eddng ti\u1ec3u h\u1ecdc, \u0111\u00e1nh gi\u00e1 theo Th\u00f4ng t\u01b0 27/2020/TT-BGD\u0110T. M\u1ecdi vi\u1ec7c l\u00e0m \u0111\u01b0\u1ee3c khi kh\u00f4ng c\u00f3 m\u1ea1ng; h\u1ecdc b\u1ea1 \u0111\u00e3 ph\u00e1t h\u00e0nh ch\u1edd g\u1eedi v\u1ec1 CSDL ng\u00e0nh khi c\u00f3 k\u1ebft n\u1ed1i.", None))
    # retranslateUi

