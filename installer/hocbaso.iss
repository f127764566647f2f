; Inno Setup script for the Windows build of Học bạ số (see installer/README.md for the steps).
; Input: dist\hocbaso\ built by PyInstaller ON WINDOWS (installer\hocbaso.spec). NOT built or tested
; here: the project's machines run Linux and have neither Windows nor Inno Setup.
;
; Data location: the program keeps the school's database where platformdirs puts it,
;   user_data_dir("hocbaso", "hocbaso") = %LOCALAPPDATA%\hocbaso\hocbaso\  (hocbaso.sqlite3, backups\)
; and this PC's preferences in user_config_dir = %LOCALAPPDATA%\hocbaso\hocbaso\ (config.json).
; The installer never writes there and the uninstaller never deletes it: uninstalling or upgrading
; the program keeps every school's data and backups.

#define AppName "Học bạ số"
#define AppVersion "0.1.0"
#define AppExe "hocbaso-desktop.exe"

[Setup]
AppId={{6B7B8E0C-3C4E-4B8B-9E55-2A1C7F1D4A11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=hocbaso_desktop
DefaultDirName={autopf}\HocBaSo
DefaultGroupName={#AppName}
; per-machine install (Program Files, all users' Start menu); needs administrator rights
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist\installer
OutputBaseFilename=HocBaSo-{#AppVersion}-setup
SetupIconFile=..\resources\icons\hocbaso.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "vietnamese"; MessagesFile: "compiler:Languages\Vietnamese.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; the whole PyInstaller folder: both programs, Python, Qt, resources, schemas, guide, migrations
Source: "..\dist\hocbaso\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Hướng dẫn sử dụng"; Filename: "{app}\_internal\docs\huong-dan"
Name: "{group}\Gỡ cài đặt {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; `hocbaso` (the command line) on the PATH of every user
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; \
  ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the installer put in {app}; the data folders above are deliberately NOT listed
Type: filesandordirs; Name: "{app}\_internal"

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
