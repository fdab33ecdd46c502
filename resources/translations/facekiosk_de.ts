<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en_GB">
<context>
    <name>AdminLoginPage</name>
    <message>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>or a passphrase, then Enter</source>
        <translation>oder Passphrase, dann Enter</translation>
    </message>
    <message>
        <source>Admin passphrase</source>
        <translation>Verwaltungs-Passphrase</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
</context>
<context>
    <name>AdminPanel</name>
    <message>
        <source>Administration</source>
        <translation>Verwaltung</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>empty = engine default</source>
        <translation>leer = Standard der Engine</translation>
    </message>
    <message>
        <source>empty = engine default %1, FAR 1e-3 on the benchmark set</source>
        <translation>leer = Standard der Engine %1, FAR 1e-3 im Benchmark</translation>
    </message>
    <message>
        <source>Index IDs</source>
        <translation>Index-IDs</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Vault</source>
        <translation>Tresor</translation>
    </message>
    <message>
        <source>Model packs</source>
        <translation>Modellpakete</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Re-enrolling: the person looks at the camera…</source>
        <translation>Neu erfassen: die Person schaut in die Kamera…</translation>
    </message>
    <message>
        <source>New template stored; the old one is purged.</source>
        <translation>Neues Merkmal gespeichert; das alte ist gelöscht.</translation>
    </message>
    <message>
        <source>Re-enrolment failed: %1</source>
        <translation>Neu erfassen fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>ApiTab</name>
    <message>
        <source>API keys</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Key id</source>
        <translation>Schlüssel-ID</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <source>Scopes</source>
        <translation>Berechtigungen</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Zuletzt benutzt</translation>
    </message>
    <message>
        <source>what the key is for</source>
        <translation>wofür der Schlüssel ist</translation>
    </message>
    <message>
        <source>no expiry</source>
        <translation>läuft nicht ab</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
    <message>
        <source>Create key</source>
        <translation>Schlüssel erstellen</translation>
    </message>
    <message>
        <source>Revoke selected key</source>
        <translation>Schlüssel widerrufen</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation>Webhook hinzufügen</translation>
    </message>
    <message>
        <source>Show secret</source>
        <translation>Geheimnis anzeigen</translation>
    </message>
    <message>
        <source>Remove selected webhook</source>
        <translation>Webhook entfernen</translation>
    </message>
    <message>
        <source>New key or secret</source>
        <translation>Neuer Schlüssel oder neues Geheimnis</translation>
    </message>
    <message>
        <source>API: on, listening on %1:%2.</source>
        <translation>API: an, erreichbar unter %1:%2.</translation>
    </message>
    <message>
        <source>API: off (turn it on in the Settings tab, [api]).</source>
        <translation>API: aus (im Reiter Einstellungen einschalten, [api]).</translation>
    </message>
    <message>
        <source>Webhooks: on.</source>
        <translation>Webhooks: an.</translation>
    </message>
    <message>
        <source>Webhooks: off.</source>
        <translation>Webhooks: aus.</translation>
    </message>
    <message>
        <source>No vault is open.</source>
        <translation>Kein Tresor geöffnet.</translation>
    </message>
    <message numerus="yes">
        <source>%n webhook delivery(ies) waiting.</source>
        <translation>
            <numerusform>%n Webhook-Zustellung ausstehend.</numerusform>
            <numerusform>%n Webhook-Zustellungen ausstehend.</numerusform>
        </translation>
    </message>
    <message>
        <source>Key %1 created. Copy it now: it is not shown again.</source>
        <translation>Schlüssel %1 erstellt. Jetzt kopieren: Er wird nicht noch einmal angezeigt.</translation>
    </message>
    <message>
        <source>Select one key first.</source>
        <translation>Wählen Sie zuerst einen Schlüssel aus.</translation>
    </message>
    <message>
        <source>Key %1 revoked.</source>
        <translation>Schlüssel %1 widerrufen.</translation>
    </message>
    <message>
        <source>Webhook %1 added; its signing secret is shown above.</source>
        <translation>Webhook %1 hinzugefügt; sein Signaturgeheimnis steht oben.</translation>
    </message>
    <message>
        <source>Select one webhook first.</source>
        <translation>Wählen Sie zuerst einen Webhook aus.</translation>
    </message>
    <message>
        <source>Webhook %1 removed.</source>
        <translation>Webhook %1 entfernt.</translation>
    </message>
</context>
<context>
    <name>AttractPage</name>
    <message>
        <source>Face check-in</source>
        <translation>Gesichts-Check-in</translation>
    </message>
    <message>
        <source>Look at the camera to check in. Your face is matched on this device only; no photo is kept.</source>
        <translation>Schauen Sie in die Kamera, um einzuchecken. Ihr Gesicht wird nur auf diesem Gerät abgeglichen; es wird kein Foto gespeichert.</translation>
    </message>
    <message>
        <source>Check in / out</source>
        <translation>Ein- / Auschecken</translation>
    </message>
    <message>
        <source>Open the door</source>
        <translation>Tür öffnen</translation>
    </message>
    <message>
        <source>Enrol (first time)</source>
        <translation>Registrieren (erstes Mal)</translation>
    </message>
    <message>
        <source>Forget me</source>
        <translation>Mich vergessen</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>Datenschutz</translation>
    </message>
    <message>
        <source>Deutsch</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>Verwaltung</translation>
    </message>
</context>
<context>
    <name>AuditTab</name>
    <message>
        <source>Verify hash chain</source>
        <translation>Hash-Kette prüfen</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>New checkpoint</source>
        <translation>Neuer Prüfpunkt</translation>
    </message>
    <message>
        <source>Audit checkpoint</source>
        <translation>Prüfpunkt des Audit-Logs</translation>
    </message>
    <message>
        <source>Checkpoint kept off this device (verify checks the log still holds it)</source>
        <translation>Prüfpunkt, außerhalb dieses Geräts aufbewahrt (Prüfen stellt sicher, dass das Log ihn noch enthält)</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <source>#</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Checkpoint copied: keep it off this device</source>
        <translation>Prüfpunkt kopiert: außerhalb dieses Geräts aufbewahren</translation>
    </message>
    <message>
        <source>Chain intact: %1 entries checked</source>
        <translation>Kette intakt: %1 Einträge geprüft</translation>
    </message>
    <message>
        <source>CHAIN BROKEN at entry %1: %2</source>
        <translation>KETTE GEBROCHEN bei Eintrag %1: %2</translation>
    </message>
</context>
<context>
    <name>CameraPicker</name>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Preview the camera source</source>
        <translation>Vorschau der Kameraquelle</translation>
    </message>
    <message>
        <source>Cannot preview: %1</source>
        <translation>Keine Vorschau möglich: %1</translation>
    </message>
    <message>
        <source>Opening %1 …</source>
        <translation>%1 wird geöffnet …</translation>
    </message>
    <message>
        <source>%1: live</source>
        <translation>%1: live</translation>
    </message>
</context>
<context>
    <name>CapturePage</name>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Look at the camera</source>
        <translation>Bitte in die Kamera schauen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>CodeWords</name>
    <message>
        <source>enrolment</source>
        <translation>Registrierung</translation>
    </message>
    <message>
        <source>sign-in</source>
        <translation>Anmeldung</translation>
    </message>
    <message>
        <source>attendance</source>
        <translation>Anwesenheit</translation>
    </message>
    <message>
        <source>access</source>
        <translation>Zutritt</translation>
    </message>
    <message>
        <source>forget me</source>
        <translation>Mich vergessen</translation>
    </message>
    <message>
        <source>session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>enrolled</source>
        <translation>registriert</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>check in</source>
        <translation>Check-in</translation>
    </message>
    <message>
        <source>check out</source>
        <translation>Check-out</translation>
    </message>
    <message>
        <source>let in</source>
        <translation>Einlass</translation>
    </message>
    <message>
        <source>let out</source>
        <translation>Auslass</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>timed out</source>
        <translation>Zeit abgelaufen</translation>
    </message>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>no template</source>
        <translation>keine Vorlage</translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>widerrufen</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>abgelaufen</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <source>Consent version %1</source>
        <translation>Version der Einwilligung %1</translation>
    </message>
    <message>
        <source>Before we start</source>
        <translation>Bevor wir beginnen</translation>
    </message>
    <message>
        <source>No thanks</source>
        <translation>Nein danke</translation>
    </message>
    <message>
        <source>I agree</source>
        <translation>Ich stimme zu</translation>
    </message>
    <message>
        <source>Scroll to the end of the text: then &quot;I agree&quot; can be pressed</source>
        <translation>Scrollen Sie bis zum Ende des Textes: dann lässt sich „Ich stimme zu“ drücken</translation>
    </message>
</context>
<context>
    <name>EventsTab</name>
    <message>
        <source>Event kind</source>
        <translation>Ereignisart</translation>
    </message>
    <message>
        <source>all kinds</source>
        <translation>alle Arten</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Index ID (optional)</source>
        <translation>Index-ID (optional)</translation>
    </message>
    <message>
        <source>Filter by Index ID</source>
        <translation>Nach Index-ID filtern</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <source>from</source>
        <translation>von</translation>
    </message>
    <message>
        <source>until</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Index ID</source>
        <translation>Index-ID</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <source>Export events</source>
        <translation>Ereignisse exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
</context>
<context>
    <name>ForgetConfirmPage</name>
    <message>
        <source>Delete your data for good?</source>
        <translation>Ihre Daten endgültig löschen?</translation>
    </message>
    <message>
        <source>Your face template, PIN and Index ID will be erased from this device now. Past attendance records keep no link to you. This cannot be undone.</source>
        <translation>Ihr Gesichtsmerkmal, Ihre PIN und Ihre Index-ID werden jetzt von diesem Gerät gelöscht. Frühere Anwesenheitseinträge behalten keinen Bezug zu Ihnen. Das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Keep my data</source>
        <translation>Daten behalten</translation>
    </message>
    <message>
        <source>Delete everything</source>
        <translation>Alles löschen</translation>
    </message>
</context>
<context>
    <name>IdentitiesTab</name>
    <message>
        <source>Search Index ID or label</source>
        <translation>Index-ID oder Bezeichnung suchen</translation>
    </message>
    <message>
        <source>Search Index IDs</source>
        <translation>Index-IDs durchsuchen</translation>
    </message>
    <message>
        <source>Index IDs</source>
        <translation>Index-IDs</translation>
    </message>
    <message>
        <source>Delete selected…</source>
        <translation>Auswahl löschen…</translation>
    </message>
    <message>
        <source>Re-enrol from camera…</source>
        <translation>Per Kamera neu erfassen…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>%1 of %2 shown</source>
        <translation>%1 von %2 angezeigt</translation>
    </message>
    <message>
        <source>Re-enrol</source>
        <translation>Neu erfassen</translation>
    </message>
    <message>
        <source>Select one Index ID.</source>
        <translation>Wählen Sie eine Index-ID.</translation>
    </message>
    <message>
        <source>Delete Index IDs</source>
        <translation>Index-IDs löschen</translation>
    </message>
    <message>
        <source>Delete %1 Index ID(s) for good? Their templates are purged from every file.
Reason (kept in the audit log):</source>
        <translation>%1 Index-ID(s) endgültig löschen? Ihre Merkmale werden aus allen Dateien entfernt.
Grund (wird im Prüfprotokoll vermerkt):</translation>
    </message>
    <message>
        <source>Purged %1 Index ID(s) at %2.
Vectors removed: %3, metadata rows removed: %4, events anonymised: %5.
Audit entry #%6.</source>
        <translation>%1 Index-ID(s) gelöscht am %2.
Vektoren entfernt: %3, Metadatenzeilen entfernt: %4, Ereignisse anonymisiert: %5.
Prüfprotokoll-Eintrag Nr. %6.</translation>
    </message>
    <message>
        <source>access.toml could not be updated and still names them: %1</source>
        <translation>access.toml konnte nicht aktualisiert werden und nennt sie noch: %1</translation>
    </message>
    <message>
        <source>A reason is required (it is kept in the audit log).
</source>
        <translation>Ein Grund ist nötig (er wird im Audit-Protokoll aufbewahrt).
</translation>
    </message>
    <message>
        <source>Not deleted: give a reason</source>
        <translation>Nicht gelöscht: bitte einen Grund angeben</translation>
    </message>
    <message>
        <source>Purge receipt</source>
        <translation>Löschbeleg</translation>
    </message>
</context>
<context>
    <name>IdentityTableModel</name>
    <message>
        <source>Index ID</source>
        <translation>Index-ID</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt da</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Einwilligung</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
</context>
<context>
    <name>KioskApp</name>
    <message>
        <source>Demo: still pictures from the installed packages; liveness checks are off</source>
        <translation>Demo: Standbilder aus den installierten Paketen; Lebenderkennung ist aus</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>facekiosk</source>
        <translation>facekiosk</translation>
    </message>
    <message>
        <source>Camera problem (%1): reconnecting…</source>
        <translation>Kameraproblem (%1): neue Verbindung…</translation>
    </message>
    <message>
        <source>Camera unavailable, retrying (attempt %1)…</source>
        <translation>Kamera nicht verfügbar, neuer Versuch (%1)…</translation>
    </message>
    <message>
        <source>No admin PIN is set. On the console run: facekiosk run --set-admin-pin</source>
        <translation>Keine Verwaltungs-PIN gesetzt. Auf der Konsole ausführen: facekiosk run --set-admin-pin</translation>
    </message>
    <message>
        <source>Locked after wrong PINs: wait %1 s</source>
        <translation>Gesperrt nach falschen PINs: %1 s warten</translation>
    </message>
    <message>
        <source>Enter the admin PIN to close the kiosk</source>
        <translation>Verwaltungs-PIN eingeben, um das Terminal zu schließen</translation>
    </message>
    <message>
        <source>Enter the admin PIN</source>
        <translation>Verwaltungs-PIN eingeben</translation>
    </message>
    <message>
        <source>Wrong PIN. Locked for %1 s</source>
        <translation>Falsche PIN. Gesperrt für %1 s</translation>
    </message>
    <message>
        <source>Wrong PIN</source>
        <translation>Falsche PIN</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Welcome</source>
        <translation>Willkommen</translation>
    </message>
    <message>
        <source>Please read and decide</source>
        <translation>Bitte lesen und entscheiden</translation>
    </message>
    <message>
        <source>Look at the camera</source>
        <translation>Bitte in die Kamera schauen</translation>
    </message>
    <message>
        <source>Checking that you are really here</source>
        <translation>Wir prüfen, ob Sie wirklich hier sind</translation>
    </message>
    <message>
        <source>Recognising you, hold still</source>
        <translation>Wir erkennen Sie, bitte stillhalten</translation>
    </message>
    <message>
        <source>Hold still, move your head slightly</source>
        <translation>Stillhalten, den Kopf leicht bewegen</translation>
    </message>
    <message>
        <source>Choose a PIN</source>
        <translation>Wählen Sie eine PIN</translation>
    </message>
    <message>
        <source>Type the same PIN again</source>
        <translation>Geben Sie dieselbe PIN noch einmal ein</translation>
    </message>
    <message>
        <source>Type your PIN</source>
        <translation>Geben Sie Ihre PIN ein</translation>
    </message>
    <message>
        <source>Delete your data for good?</source>
        <translation>Ihre Daten endgültig löschen?</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Step in front of the camera</source>
        <translation>Treten Sie vor die Kamera</translation>
    </message>
    <message>
        <source>Only one person, please</source>
        <translation>Bitte nur eine Person</translation>
    </message>
    <message>
        <source>Come closer</source>
        <translation>Kommen Sie näher</translation>
    </message>
    <message>
        <source>Step back a little</source>
        <translation>Gehen Sie etwas zurück</translation>
    </message>
    <message>
        <source>Move your whole face into the frame</source>
        <translation>Bringen Sie Ihr ganzes Gesicht ins Bild</translation>
    </message>
    <message>
        <source>Hold still</source>
        <translation>Bitte stillhalten</translation>
    </message>
    <message>
        <source>It is too dark</source>
        <translation>Es ist zu dunkel</translation>
    </message>
    <message>
        <source>It is too bright</source>
        <translation>Es ist zu hell</translation>
    </message>
    <message>
        <source>Move to your left</source>
        <translation>Gehen Sie etwas nach links</translation>
    </message>
    <message>
        <source>Move to your right</source>
        <translation>Gehen Sie etwas nach rechts</translation>
    </message>
    <message>
        <source>Move up a little</source>
        <translation>Etwas höher, bitte</translation>
    </message>
    <message>
        <source>Move down a little</source>
        <translation>Etwas tiefer, bitte</translation>
    </message>
    <message>
        <source>Face the camera: head a bit more to your left</source>
        <translation>Zur Kamera schauen: Kopf etwas mehr nach links</translation>
    </message>
    <message>
        <source>Face the camera: head a bit more to your right</source>
        <translation>Zur Kamera schauen: Kopf etwas mehr nach rechts</translation>
    </message>
    <message>
        <source>Face the camera: chin a little higher</source>
        <translation>Zur Kamera schauen: Kinn etwas höher</translation>
    </message>
    <message>
        <source>Face the camera: chin a little lower</source>
        <translation>Zur Kamera schauen: Kinn etwas tiefer</translation>
    </message>
    <message>
        <source>Keep your head straight</source>
        <translation>Halten Sie den Kopf gerade</translation>
    </message>
    <message>
        <source>Open your eyes</source>
        <translation>Öffnen Sie die Augen</translation>
    </message>
    <message>
        <source>Please take off your mask</source>
        <translation>Bitte nehmen Sie die Maske ab</translation>
    </message>
    <message>
        <source>Your age cannot be checked here: please ask staff</source>
        <translation>Ihr Alter kann hier nicht geprüft werden: bitte fragen Sie das Personal</translation>
    </message>
    <message>
        <source>Turn your head a little</source>
        <translation>Drehen Sie den Kopf ein wenig</translation>
    </message>
    <message>
        <source>Blink</source>
        <translation>Blinzeln Sie</translation>
    </message>
    <message>
        <source>Turn your head to your left</source>
        <translation>Drehen Sie den Kopf nach links</translation>
    </message>
    <message>
        <source>Turn your head to your right</source>
        <translation>Drehen Sie den Kopf nach rechts</translation>
    </message>
    <message>
        <source>Look up</source>
        <translation>Schauen Sie nach oben</translation>
    </message>
    <message>
        <source>Look down</source>
        <translation>Schauen Sie nach unten</translation>
    </message>
    <message>
        <source>Please step back a little</source>
        <translation>Bitte treten Sie etwas zurück</translation>
    </message>
    <message>
        <source>Look straight at the camera again</source>
        <translation>Schauen Sie wieder gerade in die Kamera</translation>
    </message>
    <message>
        <source>Keep your head still and just blink</source>
        <translation>Halten Sie den Kopf still und blinzeln Sie nur</translation>
    </message>
    <message>
        <source>Other way: turn your head to your LEFT</source>
        <translation>Andersherum: drehen Sie den Kopf nach LINKS</translation>
    </message>
    <message>
        <source>Other way: turn your head to your RIGHT</source>
        <translation>Andersherum: drehen Sie den Kopf nach RECHTS</translation>
    </message>
    <message>
        <source>Not quite: look UP</source>
        <translation>Nicht ganz: schauen Sie nach OBEN</translation>
    </message>
    <message>
        <source>Not quite: look DOWN</source>
        <translation>Nicht ganz: schauen Sie nach UNTEN</translation>
    </message>
    <message>
        <source>You are enrolled</source>
        <translation>Sie sind registriert</translation>
    </message>
    <message>
        <source>Welcome back</source>
        <translation>Willkommen zurück</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>Eingecheckt</translation>
    </message>
    <message>
        <source>Checked out</source>
        <translation>Ausgecheckt</translation>
    </message>
    <message>
        <source>Already recorded</source>
        <translation>Bereits erfasst</translation>
    </message>
    <message>
        <source>Access granted</source>
        <translation>Zutritt gewährt</translation>
    </message>
    <message>
        <source>Your data has been deleted</source>
        <translation>Ihre Daten wurden gelöscht</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>Etwas ist schiefgegangen</translation>
    </message>
    <message>
        <source>No face was found</source>
        <translation>Es wurde kein Gesicht gefunden</translation>
    </message>
    <message>
        <source>More than one face was in view</source>
        <translation>Es war mehr als ein Gesicht im Bild</translation>
    </message>
    <message>
        <source>We do not recognise you</source>
        <translation>Wir erkennen Sie nicht</translation>
    </message>
    <message>
        <source>The liveness check failed</source>
        <translation>Die Lebenderkennung ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>Wrong PIN</source>
        <translation>Falsche PIN</translation>
    </message>
    <message>
        <source>Too many wrong PINs: try again later</source>
        <translation>Zu viele falsche PINs: bitte später erneut versuchen</translation>
    </message>
    <message>
        <source>You are already enrolled</source>
        <translation>Sie sind bereits registriert</translation>
    </message>
    <message>
        <source>You declined: nothing was stored</source>
        <translation>Sie haben abgelehnt: nichts wurde gespeichert</translation>
    </message>
    <message>
        <source>Time is up</source>
        <translation>Die Zeit ist abgelaufen</translation>
    </message>
    <message>
        <source>Too many attempts: please wait</source>
        <translation>Zu viele Versuche: bitte warten</translation>
    </message>
    <message>
        <source>Stand about an arm&apos;s length from the screen, face towards it.</source>
        <translation>Stellen Sie sich etwa eine Armlänge vor den Bildschirm, das Gesicht zu ihm.</translation>
    </message>
    <message>
        <source>Make sure nobody else is in view, then try again.</source>
        <translation>Achten Sie darauf, dass niemand sonst im Bild ist, und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Not enrolled yet? Choose &quot;Enrol (first time)&quot; on the start screen.</source>
        <translation>Noch nicht registriert? Wählen Sie auf dem Startbildschirm „Registrieren (erstes Mal)“.</translation>
    </message>
    <message>
        <source>Use your own face, not a photo or a screen. Ask staff if this repeats.</source>
        <translation>Zeigen Sie Ihr eigenes Gesicht, kein Foto und keinen Bildschirm. Wiederholt es sich, fragen Sie das Personal.</translation>
    </message>
    <message>
        <source>Check your PIN and try again; more wrong PINs lock it for a while.</source>
        <translation>Prüfen Sie Ihre PIN und versuchen Sie es erneut; weitere falsche PINs sperren sie eine Weile.</translation>
    </message>
    <message>
        <source>Your PIN is locked after wrong tries: wait, or ask staff.</source>
        <translation>Ihre PIN ist nach falschen Versuchen gesperrt: warten Sie oder fragen Sie das Personal.</translation>
    </message>
    <message>
        <source>You can already sign in from the start screen.</source>
        <translation>Sie können sich bereits über den Startbildschirm anmelden.</translation>
    </message>
    <message>
        <source>Nothing was stored. Ask staff about the other way in.</source>
        <translation>Nichts wurde gespeichert. Fragen Sie das Personal nach dem anderen Zugang.</translation>
    </message>
    <message>
        <source>Take your time and try again.</source>
        <translation>Lassen Sie sich Zeit und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Several attempts failed in a row. You can try again when the time is up.</source>
        <translation>Mehrere Versuche sind nacheinander gescheitert. Wenn die Zeit abgelaufen ist, können Sie es erneut versuchen.</translation>
    </message>
    <message>
        <source>Please ask staff for help.</source>
        <translation>Bitte fragen Sie das Personal.</translation>
    </message>
    <message>
        <source>Take off a mask, scarf or sunglasses, then try again.</source>
        <translation>Nehmen Sie Maske, Schal oder Sonnenbrille ab und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Face the screen in even light, an arm&apos;s length away, and hold still.</source>
        <translation>Schauen Sie bei gleichmäßigem Licht aus einer Armlänge Abstand zum Bildschirm und halten Sie still.</translation>
    </message>
    <message>
        <source>Ask staff to renew your enrolment.</source>
        <translation>Bitten Sie das Personal, Ihre Registrierung zu verlängern.</translation>
    </message>
    <message>
        <source>Please come back in your allowed hours.</source>
        <translation>Bitte kommen Sie zu Ihren erlaubten Zeiten wieder.</translation>
    </message>
    <message>
        <source>This kiosk is not open to you: ask staff.</source>
        <translation>Dieses Terminal ist für Sie nicht freigegeben: fragen Sie das Personal.</translation>
    </message>
    <message>
        <source>Please use the site&apos;s other way in.</source>
        <translation>Bitte nutzen Sie den anderen Zugang des Standorts.</translation>
    </message>
    <message>
        <source>You are already recorded in this direction: use the other door.</source>
        <translation>Sie sind in dieser Richtung bereits erfasst: nutzen Sie die andere Tür.</translation>
    </message>
    <message>
        <source>Try once more; if the door stays shut, ask staff.</source>
        <translation>Versuchen Sie es noch einmal; bleibt die Tür zu, fragen Sie das Personal.</translation>
    </message>
    <message>
        <source>Nothing was stored.</source>
        <translation>Nichts wurde gespeichert.</translation>
    </message>
    <message>
        <source>Try again in a moment; if it repeats, ask staff.</source>
        <translation>Versuchen Sie es gleich noch einmal; wiederholt es sich, fragen Sie das Personal.</translation>
    </message>
    <message>
        <source>Follow the prompts on the screen, in good light, facing the camera.</source>
        <translation>Folgen Sie den Anweisungen auf dem Bildschirm, bei gutem Licht, mit Blick zur Kamera.</translation>
    </message>
    <message>
        <source>Not available for minors</source>
        <translation>Für Minderjährige nicht verfügbar</translation>
    </message>
    <message>
        <source>Your age could not be checked</source>
        <translation>Ihr Alter konnte nicht geprüft werden</translation>
    </message>
    <message>
        <source>Please uncover your face</source>
        <translation>Bitte zeigen Sie Ihr Gesicht unverdeckt</translation>
    </message>
    <message>
        <source>The picture was not clear enough</source>
        <translation>Das Bild war nicht deutlich genug</translation>
    </message>
    <message>
        <source>Your enrolment has expired</source>
        <translation>Ihre Registrierung ist abgelaufen</translation>
    </message>
    <message>
        <source>Not allowed at this time</source>
        <translation>Zu dieser Zeit nicht erlaubt</translation>
    </message>
    <message>
        <source>Access denied</source>
        <translation>Zutritt verweigert</translation>
    </message>
    <message>
        <source>You opted out of face recognition</source>
        <translation>Sie haben der Gesichtserkennung widersprochen</translation>
    </message>
    <message>
        <source>You already passed this way</source>
        <translation>Sie sind hier bereits durchgegangen</translation>
    </message>
    <message>
        <source>Recognised, but the door did not open</source>
        <translation>Erkannt, aber die Tür hat sich nicht geöffnet</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Something went wrong: please try again or ask staff</source>
        <translation>Etwas ist schiefgelaufen: bitte versuchen Sie es erneut oder fragen Sie das Personal</translation>
    </message>
    <message>
        <source>We could not confirm that you are really here: please try again</source>
        <translation>Wir konnten nicht bestätigen, dass Sie wirklich hier sind: bitte versuchen Sie es noch einmal</translation>
    </message>
    <message>
        <source>Use digits only</source>
        <translation>Nur Ziffern verwenden</translation>
    </message>
    <message>
        <source>That PIN is too short</source>
        <translation>Diese PIN ist zu kurz</translation>
    </message>
    <message>
        <source>That PIN is too long</source>
        <translation>Diese PIN ist zu lang</translation>
    </message>
    <message>
        <source>Too easy to guess: no repeats</source>
        <translation>Zu leicht zu erraten: keine Wiederholungen</translation>
    </message>
    <message>
        <source>Too easy to guess: no sequences</source>
        <translation>Zu leicht zu erraten: keine Zahlenfolgen</translation>
    </message>
    <message>
        <source>Too common: choose another</source>
        <translation>Zu häufig: bitte eine andere wählen</translation>
    </message>
    <message>
        <source>Choose another PIN</source>
        <translation>Wählen Sie eine andere PIN</translation>
    </message>
    <message>
        <source>The PINs differ: start again</source>
        <translation>Die PINs stimmen nicht überein: bitte neu beginnen</translation>
    </message>
</context>
<context>
    <name>ModelsTab</name>
    <message>
        <source>Model packs</source>
        <translation>Modellpakete</translation>
    </message>
    <message>
        <source>Pack</source>
        <translation>Paket</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Lizenz</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Import pack folder…</source>
        <translation>Paketordner importieren…</translation>
    </message>
    <message>
        <source>Import pack zip…</source>
        <translation>Paket-ZIP importieren…</translation>
    </message>
    <message>
        <source>Verify selected</source>
        <translation>Auswahl prüfen</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Select an installed pack.</source>
        <translation>Wählen Sie ein installiertes Paket.</translation>
    </message>
    <message>
        <source>%1: verified, all files match</source>
        <translation>%1: geprüft, alle Dateien stimmen</translation>
    </message>
    <message>
        <source>%1: PROBLEMS: %2</source>
        <translation>%1: PROBLEME: %2</translation>
    </message>
    <message>
        <source>Pack folder</source>
        <translation>Paketordner</translation>
    </message>
    <message>
        <source>Pack zip</source>
        <translation>Paket-ZIP</translation>
    </message>
    <message>
        <source>Zip files (*.zip)</source>
        <translation>ZIP-Dateien (*.zip)</translation>
    </message>
    <message>
        <source>Imported %1</source>
        <translation>%1 importiert</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <source>Digit %1</source>
        <translation>Ziffer %1</translation>
    </message>
    <message>
        <source>Delete last digit</source>
        <translation>Letzte Ziffer löschen</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Confirm PIN</source>
        <translation>PIN bestätigen</translation>
    </message>
    <message numerus="yes">
        <source>%n digit(s) typed</source>
        <translation>
            <numerusform>%n Ziffer eingegeben</numerusform>
            <numerusform>%n Ziffern eingegeben</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PinPage</name>
    <message numerus="yes">
        <source>%n tries left</source>
        <translation>
            <numerusform>noch %n Versuch</numerusform>
            <numerusform>noch %n Versuche</numerusform>
        </translation>
    </message>
    <message>
        <source>Skip (no PIN)</source>
        <translation>Überspringen (keine PIN)</translation>
    </message>
    <message>
        <source>%1 digits</source>
        <translation>%1 Ziffern</translation>
    </message>
    <message>
        <source>%1 to %2 digits</source>
        <translation>%1 bis %2 Ziffern</translation>
    </message>
    <message>
        <source>Your PIN: %1, not easy to guess (no 1234 or 1111)</source>
        <translation>Ihre PIN: %1, nicht leicht zu erraten (kein 1234 oder 1111)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>PreviewWidget</name>
    <message>
        <source>Camera preview</source>
        <translation>Kameravorschau</translation>
    </message>
</context>
<context>
    <name>PrivacyPage</name>
    <message>
        <source>Your privacy</source>
        <translation>Ihr Datenschutz</translation>
    </message>
    <message>
        <source>Face models in this kiosk and their licences</source>
        <translation>Gesichtsmodelle in diesem Terminal und ihre Lizenzen</translation>
    </message>
    <message>
        <source>(licence file missing)</source>
        <translation>(Lizenzdatei fehlt)</translation>
    </message>
    <message>
        <source>**What is stored.** An anonymous Index ID (a random number), a face template (a list of numbers computed from your face, not a photo), the time you enrolled, the consent version you accepted and, if you chose one, a hash of your PIN. Check-ins are stored with the Index ID only.

**What is never stored.** Camera pictures. Frames are analysed in memory and dropped at once. A face that fails several times in a row is remembered as numbers, in memory only, until its short pause ends.

**Where.** Only on this device, encrypted (AES-256). Nothing is sent over a network.

**How to delete.** Press *Forget me* on the start screen and look at the camera; or ask an administrator. Deletion erases your template from every file and gives you a receipt.</source>
        <translation>**Was gespeichert wird.** Eine anonyme Index-ID (eine Zufallszahl), ein Gesichtsmerkmal (eine Zahlenreihe, aus Ihrem Gesicht berechnet, kein Foto), der Zeitpunkt der Registrierung, die Version der Einwilligung und, falls gewählt, ein Hash Ihrer PIN. Check-ins werden nur mit der Index-ID gespeichert.

**Was nie gespeichert wird.** Kamerabilder. Bilder werden im Speicher ausgewertet und sofort verworfen. Ein Gesicht, das mehrmals nacheinander scheitert, wird als Zahlenreihe nur im Arbeitsspeicher behalten, bis seine kurze Pause endet.

**Wo.** Nur auf diesem Gerät, verschlüsselt (AES-256). Nichts wird über ein Netzwerk gesendet.

**Wie Sie löschen.** Drücken Sie auf dem Startbildschirm *Mich vergessen* und schauen Sie in die Kamera; oder fragen Sie die Verwaltung. Das Löschen entfernt Ihr Merkmal aus jeder Datei und Sie erhalten einen Beleg.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Error code: %1</source>
        <translation>Fehlercode: %1</translation>
    </message>
    <message>
        <source>Note your receipt code: it proves this enrolment later.</source>
        <translation>Notieren Sie Ihren Belegcode: er weist diese Registrierung später nach.</translation>
    </message>
    <message>
        <source>Your anonymous Index ID (shown only now): %1</source>
        <translation>Ihre anonyme Index-ID (nur jetzt angezeigt): %1</translation>
    </message>
    <message>
        <source>You can try again in %1</source>
        <translation>Erneut versuchen in %1</translation>
    </message>
    <message>
        <source>This page closes by itself in %1 s</source>
        <translation>Diese Seite schließt sich in %1 s von selbst</translation>
    </message>
    <message>
        <source>Deletion receipt: %1</source>
        <translation>Löschbeleg: %1</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <source>Save (applies after restart)</source>
        <translation>Speichern (gilt nach Neustart)</translation>
    </message>
    <message>
        <source>Restart the kiosk now</source>
        <translation>Kiosk jetzt neu starten</translation>
    </message>
    <message>
        <source>No benchmark FAR figures for this engine.</source>
        <translation>Keine FAR-Werte aus dem Benchmark für diese Engine.</translation>
    </message>
    <message>
        <source>FAR %1: threshold %2, TAR %3</source>
        <translation>FAR %1: Schwelle %2, TAR %3</translation>
    </message>
    <message>
        <source>(engine&apos;s built-in reference, development set)</source>
        <translation>(eingebaute Referenz der Engine, Entwicklungsdatensatz)</translation>
    </message>
    <message>
        <source>(this site&apos;s benchmark: %1)</source>
        <translation>(Benchmark dieses Standorts: %1)</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>Gespeichert in %1</translation>
    </message>
</context>
<context>
    <name>SiteTab</name>
    <message>
        <source>Site %1, this kiosk: %2</source>
        <translation>Standort %1, dieses Terminal: %2</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Refresh site status</source>
        <translation>Standortstatus aktualisieren</translation>
    </message>
    <message>
        <source>Kiosks</source>
        <translation>Terminals</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Letzter Abgleich</translation>
    </message>
    <message>
        <source>Lag (feed rows)</source>
        <translation>Rückstand (Einträge)</translation>
    </message>
    <message>
        <source>Purges waiting for kiosks</source>
        <translation>Löschungen, die auf Terminals warten</translation>
    </message>
    <message>
        <source>Index ID</source>
        <translation>Index-ID</translation>
    </message>
    <message>
        <source>Purged at</source>
        <translation>Gelöscht am</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>Bestätigt</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Possible duplicates (one person, two Index IDs)</source>
        <translation>Mögliche Doppelte (eine Person, zwei Index-IDs)</translation>
    </message>
    <message>
        <source>Index IDs</source>
        <translation>Index-IDs</translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation>Kosinus</translation>
    </message>
    <message>
        <source>Found by</source>
        <translation>Gefunden von</translation>
    </message>
    <message>
        <source>At</source>
        <translation>Am</translation>
    </message>
    <message>
        <source>Possible duplicates</source>
        <translation>Mögliche Doppelte</translation>
    </message>
    <message>
        <source>The hub is unreachable (%1): the kiosk works on its own vault and syncs when it is back.</source>
        <translation>Der Hub ist nicht erreichbar (%1): Das Terminal arbeitet mit seinem eigenen Tresor und gleicht ab, sobald er wieder da ist.</translation>
    </message>
    <message>
        <source> (this kiosk)</source>
        <translation> (dieses Terminal)</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>left %1</source>
        <translation>ausgetreten am %1</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Site-wide purge (every kiosk of the site):</source>
        <translation>Löschung am ganzen Standort (jedes Terminal des Standorts):</translation>
    </message>
    <message>
        <source>confirmed by %1; pending %2</source>
        <translation>bestätigt von %1; ausstehend %2</translation>
    </message>
</context>
<context>
    <name>VaultTab</name>
    <message>
        <source>Back up the vault…</source>
        <translation>Tresor sichern…</translation>
    </message>
    <message>
        <source>Export the wrapped key…</source>
        <translation>Verpackten Schlüssel exportieren…</translation>
    </message>
    <message>
        <source>Rotate the key</source>
        <translation>Schlüssel wechseln</translation>
    </message>
    <message>
        <source>Restore a backup…</source>
        <translation>Sicherung wiederherstellen…</translation>
    </message>
    <message>
        <source>No vault is open.</source>
        <translation>Kein Tresor geöffnet.</translation>
    </message>
    <message>
        <source>exact search</source>
        <translation>exakte Suche</translation>
    </message>
    <message>
        <source>4-bit scan, candidates re-ranked exactly</source>
        <translation>4-Bit-Suchlauf, Kandidaten exakt nachsortiert</translation>
    </message>
    <message numerus="yes">
        <source>%Ln template(s)</source>
        <translation>
            <numerusform>%Ln Template</numerusform>
            <numerusform>%Ln Templates</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n snapshot segment(s)</source>
        <translation>
            <numerusform>%n Snapshot-Segment</numerusform>
            <numerusform>%n Snapshot-Segmente</numerusform>
        </translation>
    </message>
    <message>
        <source>Vault %1 in %2
Templates per model: %3</source>
        <translation>Tresor %1 in %2
Merkmale pro Modell: %3</translation>
    </message>
    <message>
        <source>%1: %2 Index IDs to upgrade, each at their next sign-in or re-enrolment</source>
        <translation>%1: %2 Index-IDs zu aktualisieren, jede bei ihrer nächsten Anmeldung oder Neuregistrierung</translation>
    </message>
    <message>
        <source>%1: %2 Index IDs this engine cannot recognise: re-enrol them</source>
        <translation>%1: %2 Index-IDs, die diese Engine nicht erkennen kann: neu registrieren</translation>
    </message>
    <message>
        <source>Backup written: %1</source>
        <translation>Sicherung geschrieben: %1</translation>
    </message>
    <message>
        <source>Wrapped key written: %1</source>
        <translation>Verpackter Schlüssel geschrieben: %1</translation>
    </message>
    <message>
        <source>Key rotated. Export the new wrapped key for the safe.</source>
        <translation>Schlüssel gewechselt. Exportieren Sie den neuen verpackten Schlüssel für den Safe.</translation>
    </message>
    <message>
        <source>Back up the vault</source>
        <translation>Tresor sichern</translation>
    </message>
    <message>
        <source>Export key</source>
        <translation>Schlüssel exportieren</translation>
    </message>
    <message>
        <source>Rotate key</source>
        <translation>Schlüssel wechseln</translation>
    </message>
    <message>
        <source>Rotate the vault key now?</source>
        <translation>Den Tresorschlüssel jetzt wechseln?</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>A backup restores into an empty data directory, with the kiosk stopped:
facekiosk --data-dir NEW_DIR admin restore ARCHIVE</source>
        <translation>Eine Sicherung wird bei gestopptem Terminal in ein leeres Datenverzeichnis wiederhergestellt:
facekiosk --data-dir NEUES_VERZ admin restore ARCHIV</translation>
    </message>
</context>
</TS>
