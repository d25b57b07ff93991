"""Run INSIDE the bunq-sdk virtual environment (not ours): drives bunq's official Python SDK.

    python sdk_script.py create  BASE_URL CA_FILE API_KEY CONTEXT_OUT
    python sdk_script.py restore BASE_URL CA_FILE CONTEXT_IN
    python sdk_script.py files   BASE_URL CA_FILE API_KEY PNG_FILE PDF_FILE

The SDK hard-codes bunq's URLs; it is pointed at the local sandbox as the README's section "The local
sandbox on its own" describes (set the SANDBOX enum's base URL, trust the CA with REQUESTS_CA_BUNDLE).
Nothing else is changed.
Prints one JSON line with what it saw.
"""

import json
import os
import sys
import warnings

warnings.simplefilter("ignore")  # the SDK warns about every field it does not model


def main() -> None:
    mode, base_url, ca_file = sys.argv[1:4]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated.endpoint import MonetaryAccountBankApiObject, UserApiObject

    ApiEnvironmentType.SANDBOX._uri_base = base_url
    if mode == "files":
        files(*sys.argv[4:7])
        return
    if mode == "create":
        api_key, out = sys.argv[4:6]
        context = ApiContext.create(ApiEnvironmentType.SANDBOX, api_key, "bunq-sdk against the local sandbox")
        context.save(out)
    else:
        context = ApiContext.restore(sys.argv[4])
    session_token_before = context.session_context.token
    BunqContext.load_api_context(context)
    users = UserApiObject.list().value
    user = users[0].get_referenced_object()
    accounts = MonetaryAccountBankApiObject.list().value
    print(
        json.dumps(
            {
                "user_id": user.id_,
                "user_class": type(user).__name__,
                "session_reused": context.session_context.token == session_token_before,
                "accounts": [{"id": a.id_, "status": a.status, "balance": a.balance.value} for a in accounts],
                "primary_account": BunqContext.user_context().primary_monetary_account.id_,
            }
        )
    )


def files(api_key: str, png_file: str, pdf_file: str) -> None:
    """Attachments and notes the way the SDK does them: raw bytes up, raw bytes down, notes by id."""
    import hashlib

    from bunq.sdk.context.api_context import ApiContext
    from bunq.sdk.context.api_environment_type import ApiEnvironmentType
    from bunq.sdk.context.bunq_context import BunqContext
    from bunq.sdk.model.generated import endpoint
    from bunq.sdk.model.generated.object_ import AmountObject, PointerObject

    BunqContext.load_api_context(ApiContext.create(ApiEnvironmentType.SANDBOX, api_key, "bunq-sdk files"))
    png = open(png_file, "rb").read()  # noqa: SIM115 - a script, closed at exit
    pdf = open(pdf_file, "rb").read()  # noqa: SIM115

    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    headers = {"Content-Type": "image/png", "X-Bunq-Attachment-Description": "avatar"}
    uuid = endpoint.AttachmentPublicApiObject.create(png, headers).value
    public = endpoint.AttachmentPublicApiObject.get(uuid).value
    public_content = endpoint.AttachmentPublicContentApiObject.list(uuid).value

    headers = {"Content-Type": "application/pdf", "X-Bunq-Attachment-Description": "invoice"}
    attachment_id = endpoint.AttachmentMonetaryAccountApiObject.create(pdf, custom_headers=headers).value
    account_content = endpoint.AttachmentMonetaryAccountContentApiObject.list(attachment_id).value
    user_content = endpoint.AttachmentUserContentApiObject.list(attachment_id).value

    inquiry_id = endpoint.RequestInquiryApiObject.create(
        AmountObject("1.00", "EUR"), PointerObject("EMAIL", "a@b.c"), "with notes", False
    ).value
    notes = endpoint.NoteTextRequestInquiryApiObject
    note_id = notes.create(inquiry_id, content="first").value
    notes.update(inquiry_id, note_id, content="second")
    read = notes.get(inquiry_id, note_id).value
    listed = [n.content for n in notes.list(inquiry_id).value]
    notes.delete(inquiry_id, note_id)
    after_delete = [n.id_ for n in notes.list(inquiry_id).value]
    with_file = endpoint.NoteAttachmentRequestInquiryApiObject
    file_note_id = with_file.create(inquiry_id, attachment_id, description="the invoice").value
    with_file.update(inquiry_id, file_note_id, description="the paid invoice")
    file_note = with_file.get(inquiry_id, file_note_id).value
    print(
        json.dumps(
            {
                "uuid": uuid,
                "public": {
                    "uuid": public.uuid,
                    "description": public.attachment.description,
                    "content_type": public.attachment.content_type,
                    "url": public.attachment.urls[0].url,
                },
                "public_content": digest(public_content),
                "attachment_id": attachment_id,
                "account_content": digest(account_content),
                "user_content": digest(user_content),
                "note": {
                    "id": read.id_,
                    "content": read.content,
                    "creator": read.label_user_creator.display_name,
                },
                "listed": listed,
                "after_delete": after_delete,
                "file_note": {
                    "description": file_note.description,
                    "attachment": [(a.id_, a.monetary_account_id) for a in file_note.attachment],
                },
            }
        )
    )


main()
