; Inno Setup 6 script for facekiosk on Windows 10/11 (x64).
;
; NOT BUILT HERE: this repository's CI has no Windows machine. The script is
; reviewed, and linted by tests/packaging/test_windows_iss.py (sections, paths,
; the upgrade/downgrade/uninstall logic). Build on Windows:
;   1. packaging\build_frozen.sh's steps in PowerShell: uv sync --frozen --no-dev
;      --group package --no-editable, then pyinstaller packaging\facekiosk.spec
;      (gives dist\facekiosk\facekiosk.exe)
;   2. iscc /DAppVersion=0.1.0 packaging\windows\facekiosk.iss
;      (gives dist\windows\facekiosk-0.1.0-setup.exe)
;
; Data: per user, %LOCALAPPDATA%\facekiosk (what the app uses without
; FACEKIOSK_HOME; private to the Windows account that runs the kiosk). Setup's
; {localappdata} is the profile of the account that runs setup: install while
; logged on as the kiosk account (elevating with an admin's credentials). The
; installer never deletes it unless the admin says so at uninstall time, and
; copies it to a timestamped backup before an upgrade replaces the app.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "facekiosk"
#define AppExe "facekiosk.exe"

[Setup]
AppId={{6F1B2C1E-4B8E-4E52-9C57-2B8E0B6A9D41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=facekiosk
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist\windows
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=facekiosk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
PrivilegesRequired=admin
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "de"; MessagesFile: "compiler:Languages\German.isl"

[Tasks]
Name: "autostart"; Description: "Start the kiosk full screen when this user logs on"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked

[Files]
; The one-folder PyInstaller build: facekiosk.exe and _internal\ (Python, Qt,
; dlib model files, resources). Nothing else is installed.
Source: "..\..\dist\facekiosk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "run"; IconFilename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName} (kiosk mode)"; Filename: "{app}\{#AppExe}"; Parameters: "run --kiosk"
Name: "{autoprograms}\{#AppName} doctor"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#AppExe}"" doctor"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "run"; Tasks: desktopicon
Name: "{userstartup}\{#AppName} kiosk"; Filename: "{app}\{#AppExe}"; Parameters: "run --kiosk"; Tasks: autostart

[Run]
; A first check, as the technician would run it; never blocks the install.
Filename: "{app}\{#AppExe}"; Parameters: "doctor --no-camera"; Flags: postinstall skipifsilent nowait unchecked; Description: "Run facekiosk doctor"

[Code]
const
  UninstallKey = 'Software\Microsoft\Windows\CurrentVersion\Uninstall\{6F1B2C1E-4B8E-4E52-9C57-2B8E0B6A9D41}_is1';

function DataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\facekiosk');
end;

function InstalledVersion(): String;
begin
  Result := '';
  if not RegQueryStringValue(HKLM, UninstallKey, 'DisplayVersion', Result) then
    RegQueryStringValue(HKCU, UninstallKey, 'DisplayVersion', Result);
end;

// Like strcmp for dotted versions; unparsable ones compare equal (never block on them).
function CompareVersions(A, B: String): Integer;
var
  PA, PB: Int64;
begin
  Result := 0;
  if StrToVersion(A, PA) and StrToVersion(B, PB) then
    Result := ComparePackedVersion(PA, PB);
end;

// Refuse a downgrade: the data dir may already use a newer vault/settings format.
function InitializeSetup(): Boolean;
var
  Installed: String;
begin
  Result := True;
  Installed := InstalledVersion();
  if (Installed <> '') and (CompareVersions(Installed, '{#AppVersion}') > 0) then
  begin
    MsgBox('facekiosk ' + Installed + ' is installed; refusing to downgrade to {#AppVersion}. ' +
      'Restore the data backup taken before the upgrade to ' + Installed + ', or install ' +
      Installed + ' or later.', mbCriticalError, MB_OK);
    Result := False;
  end;
end;

// Before an upgrade replaces the app, copy the data dir to a timestamped backup.
function PrepareToInstall(var NeedsRestart: Boolean): String;
var
  Installed, Backup: String;
  Code: Integer;
begin
  Result := '';
  Installed := InstalledVersion();
  if (Installed <> '') and (Installed <> '{#AppVersion}') and DirExists(DataDir()) then
  begin
    Backup := DataDir() + '-backup-' + Installed + '-' + GetDateTimeString('yyyymmdd-hhnnss', #0, #0);
    if not Exec(ExpandConstant('{sys}\robocopy.exe'), '"' + DataDir() + '" "' + Backup + '" /E /COPY:DAT /R:1 /W:1',
      '', SW_HIDE, ewWaitUntilTerminated, Code) or (Code >= 8) then
      Result := 'Could not back up ' + DataDir() + ' before the upgrade (robocopy code ' + IntToStr(Code) + ').';
  end;
end;

// Uninstall removes the app; the data dir (encrypted vault) only when confirmed.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(DataDir()) and not UninstallSilent() then
  begin
    if MsgBox('Also erase the facekiosk data in ' + DataDir() + '?' + #13#10 +
      'This deletes every enrolled face template, the vault key and the logs. It cannot be undone.',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      DelTree(DataDir(), True, True, True);
  end;
end;
