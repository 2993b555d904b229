from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Vietnamese unless the user chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a phone
    set to English would open in English; the campaign's users work in Vietnamese,
    so only an explicit choice (the language cookie set by `set_language`) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
