<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="en_GB">
<context>
    <name>ApiTab</name>
    <message numerus="yes">
        <source>%n webhook delivery(ies) waiting.</source>
        <translation>
            <numerusform>%n webhook delivery waiting.</numerusform>
            <numerusform>%n webhook deliveries waiting.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message numerus="yes">
        <source>%n digit(s) typed</source>
        <translation>
            <numerusform>%n digit typed</numerusform>
            <numerusform>%n digits typed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PinPage</name>
    <message numerus="yes">
        <source>%n tries left</source>
        <translation>
            <numerusform>%n try left</numerusform>
            <numerusform>%n tries left</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>VaultTab</name>
    <message numerus="yes">
        <source>%Ln template(s)</source>
        <translation>
            <numerusform>%Ln template</numerusform>
            <numerusform>%Ln templates</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n snapshot segment(s)</source>
        <translation>
            <numerusform>%n snapshot segment</numerusform>
            <numerusform>%n snapshot segments</numerusform>
        </translation>
    </message>
</context>
</TS>
